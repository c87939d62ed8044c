using System.Runtime.InteropServices;

namespace Exemplar.Torch.Native;

/// <summary>Owns one native <c>at::Generator</c> handle; released exactly once, by Dispose or by the finalizer.</summary>
internal sealed class GeneratorHandle : SafeHandle
{
    internal GeneratorHandle(nint handle) : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        NativeMethods.ex_generator_free(handle);
        return true;
    }
}
