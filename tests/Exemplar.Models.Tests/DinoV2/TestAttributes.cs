using Exemplar.Torch;

namespace Exemplar.Models.Tests.DinoV2;

/// <summary>A theory that is skipped, with a visible reason, when ../shared (or a file in it) is absent.</summary>
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    /// <summary>Requires the shared files named (relative to the shared folder).</summary>
    public SharedTheoryAttribute(params string[] requiredFiles) => Skip = new SharedFactAttribute(requiredFiles).Skip;
}

/// <summary>A fact that is skipped, with a visible reason, when libtorch sees no CUDA device.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    /// <summary>Requires CUDA (and the shared files named, if any).</summary>
    public CudaFactAttribute(params string[] requiredFiles)
    {
        Skip = LibTorch.CudaAvailable ? new SharedFactAttribute(requiredFiles).Skip : "no CUDA device: skipping a GPU-only test";
    }
}
