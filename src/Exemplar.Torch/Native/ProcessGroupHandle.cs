using System.Runtime.InteropServices;

namespace Exemplar.Torch.Native;

/// <summary>Owns one native <c>c10d::ProcessGroupGloo</c> reference; released exactly once, by Dispose or by the finalizer.</summary>
internal sealed class ProcessGroupHandle : SafeHandle
{
    internal ProcessGroupHandle(nint handle) : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        NativeMethods.ex_process_group_free(handle);
        return true;
    }
}
