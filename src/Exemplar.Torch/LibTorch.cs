using System.Runtime.InteropServices;
using Exemplar.Torch.Native;

namespace Exemplar.Torch;

/// <summary>Process-wide libtorch settings and facts: version, threads, seeding, CUDA, gradient mode.</summary>
public static class LibTorch
{
    /// <summary>The libtorch version the shim was built against, e.g. <c>1.13.0</c>.</summary>
    public static string Version => Marshal.PtrToStringUTF8(NativeMethods.ex_torch_version()) ?? "";

    /// <summary>libtorch's build configuration (compiler, BLAS, oneDNN, OpenMP, CUDA).</summary>
    public static string BuildConfig => Marshal.PtrToStringUTF8(NativeMethods.ex_torch_config()) ?? "";

    /// <summary>The number of threads used inside one operator (intra-op parallelism).</summary>
    public static int Threads
    {
        get => NativeMethods.ex_num_threads();
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "at least one thread");
            NativeMethods.Check(NativeMethods.ex_set_num_threads(value) != 0);
        }
    }

    /// <summary>Whether a CUDA device is usable (a CUDA libtorch and a driver are present).</summary>
    public static bool CudaAvailable => NativeMethods.ex_cuda_available() != 0;

    /// <summary>The number of CUDA devices seen.</summary>
    public static int CudaDeviceCount => NativeMethods.ex_cuda_device_count();

    /// <summary>Waits for the queued CUDA work to finish (no-op without CUDA). Use it around timings.</summary>
    public static void CudaSynchronize() => NativeMethods.Check(NativeMethods.ex_cuda_synchronize() != 0);

    /// <summary>Seeds the default generators (CPU and every CUDA device).</summary>
    public static void ManualSeed(ulong seed) => NativeMethods.Check(NativeMethods.ex_manual_seed(seed) != 0);

    /// <summary>Whether autograd records operations on this thread.</summary>
    public static bool GradEnabled => NativeMethods.ex_grad_enabled() != 0;

    /// <summary>Stops autograd recording on this thread until the returned guard is disposed (like <c>torch.no_grad()</c>).</summary>
    public static GradModeGuard NoGrad() => new(false);

    /// <summary>Turns autograd recording on (or off) on this thread until the returned guard is disposed.</summary>
    public static GradModeGuard SetGradEnabled(bool enabled) => new(enabled);

    /// <summary>Whether CPU autocast is on for this thread (inside an <see cref="Autocast"/> region).</summary>
    public static bool AutocastEnabled => NativeMethods.ex_autocast_cpu_enabled() != 0;

    /// <summary>
    /// Runs the CPU operators that benefit from it (matmul, linear, convolutions, ...) in <paramref name="dtype"/> on this
    /// thread until the returned guard is disposed, as <c>torch.autocast("cpu")</c>: float32 inputs are cast on the fly, so
    /// such an operator returns a <paramref name="dtype"/> tensor, and precision-sensitive operators stay in float32.
    /// Gradients flowing back to float32 leaves are float32. Regions nest; leaving one restores the previous state.
    /// </summary>
    /// <param name="dtype">The lower-precision type; libtorch 1.13 supports only <see cref="DType.BFloat16"/> on CPU.</param>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not <see cref="DType.BFloat16"/>.</exception>
    public static AutocastGuard Autocast(DType dtype = DType.BFloat16)
    {
        if (dtype != DType.BFloat16)
        {
            throw new ArgumentException($"CPU autocast supports only {DType.BFloat16} in libtorch 1.13, not {dtype}", nameof(dtype));
        }
        return new AutocastGuard(dtype);
    }
}

/// <summary>Restores the previous gradient mode of its thread when disposed.</summary>
public readonly struct GradModeGuard : IDisposable
{
    private readonly int _restore; // 0: nothing to restore (a default guard), 1: restore off, 2: restore on

    internal GradModeGuard(bool enabled) => _restore = NativeMethods.ex_set_grad_enabled(enabled ? 1 : 0) != 0 ? 2 : 1;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_restore != 0) NativeMethods.ex_set_grad_enabled(_restore == 2 ? 1 : 0);
    }
}
