using Exemplar.Torch.Native;

namespace Exemplar.Torch;

/// <summary>A seeded CPU random generator, for reproducible <c>Rand</c>/<c>Randn</c>/<c>Randint</c>/<c>Dropout</c> independent of the global seed.</summary>
public sealed class Generator : IDisposable
{
    private readonly GeneratorHandle _handle;

    /// <summary>Creates a generator seeded with <paramref name="seed"/>.</summary>
    public Generator(ulong seed)
    {
        Seed = seed;
        _handle = new GeneratorHandle(NativeMethods.CheckHandle(NativeMethods.ex_generator_new(seed)));
    }

    /// <summary>The seed it was created with.</summary>
    public ulong Seed { get; }

    /// <summary>The raw handle for a native call; throws if the generator was disposed.</summary>
    internal nint NativeHandle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle.DangerousGetHandle();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _handle.Dispose();
}
