using Exemplar.Torch.Native;

namespace Exemplar.Torch;

/// <summary>
/// An <see cref="LibTorch.Autocast"/> region: restores its thread's previous autocast flag and dtype when disposed
/// (once; later calls do nothing), and frees the cached casts of weights when it was the outermost region. Autocast
/// state belongs to a thread: dispose the guard on the thread that created it (elsewhere Dispose throws).
/// </summary>
public sealed class AutocastGuard : IDisposable
{
    private readonly int _thread = Environment.CurrentManagedThreadId;
    private readonly bool _previousEnabled;
    private readonly int _previousDtype;
    private bool _disposed;

    internal AutocastGuard(DType dtype)
    {
        _previousEnabled = NativeMethods.ex_autocast_set_cpu_enabled(1) != 0;
        _previousDtype = NativeMethods.ex_autocast_set_cpu_dtype((int)dtype);
        NativeMethods.ex_autocast_increment_nesting();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed) return;
        // Autocast state is per thread: leaving from another thread would change that thread's state, not this one's.
        if (Environment.CurrentManagedThreadId != _thread)
        {
            throw new InvalidOperationException("an autocast region must be left on the thread that entered it");
        }
        _disposed = true;
        // As torch.autocast: casts of weights are cached for the whole outermost region, then dropped.
        if (NativeMethods.ex_autocast_decrement_nesting() == 0) NativeMethods.Check(NativeMethods.ex_autocast_clear_cache() != 0);
        NativeMethods.ex_autocast_set_cpu_enabled(_previousEnabled ? 1 : 0);
        NativeMethods.ex_autocast_set_cpu_dtype(_previousDtype);
    }
}
