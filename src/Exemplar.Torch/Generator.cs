using Exemplar.Torch.Native;

namespace Exemplar.Torch;

/// <summary>A seeded CPU random generator, for reproducible <c>Rand</c>/<c>Randn</c>/<c>Randint</c>/<c>Dropout</c> independent of the global seed.</summary>
public sealed class Generator : IDisposable
{
    private nint _handle;

    /// <summary>Creates a generator seeded with <paramref name="seed"/>.</summary>
    public Generator(ulong seed)
    {
        Seed = seed;
        _handle = NativeMethods.CheckHandle(NativeMethods.ex_generator_new(seed));
    }

    /// <summary>The seed it was created with.</summary>
    public ulong Seed { get; }

    internal nint NativeHandle => _handle != 0 ? _handle : throw new ObjectDisposedException(nameof(Generator));

    /// <inheritdoc/>
    public void Dispose()
    {
        NativeMethods.ex_generator_free(Interlocked.Exchange(ref _handle, 0));
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the native generator if it was never disposed.</summary>
    ~Generator() => NativeMethods.ex_generator_free(_handle);
}
