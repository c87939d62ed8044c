using System.Runtime.InteropServices;

namespace Exemplar.Torch.Native;

/// <summary>Owns one native <c>c10d::Store</c> reference; released exactly once, by Dispose or by the finalizer.</summary>
internal sealed class StoreHandle : SafeHandle
{
    internal StoreHandle(nint handle) : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        NativeMethods.ex_store_free(handle);
        return true;
    }
}
