using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using Exemplar.Torch;

namespace Exemplar.Vision.IO;

/// <summary>Builds the <c>[C, H, W]</c> tensor of decoded interleaved pixels.</summary>
internal static class Planes
{
    /// <summary>
    /// The planes of <paramref name="pixels"/> as a tensor of <paramref name="dtype"/> (which stores
    /// <typeparamref name="TOut"/>), with the channel request and orientation applied. Created in the current
    /// <see cref="DisposeScope"/>, if any.
    /// </summary>
    internal static Tensor ToTensor<T, TOut>(ReadOnlySpan<T> pixels, PixelLayout layout, int width, int height, ImageChannels wanted,
        ExifOrientation orientation, T opaque, DType dtype)
        where T : unmanaged, IBinaryInteger<T>
        where TOut : unmanaged, IBinaryInteger<TOut>
    {
        int channels = layout.OutputChannels(wanted);
        var walk = PixelWalk.For(orientation, width, height);
        int count = checked(channels * width * height);
        TOut[] planes = ArrayPool<TOut>.Shared.Rent(count);
        try
        {
            var span = planes.AsSpan(0, count);
            PlanarConversion.ToPlanes(pixels, layout, width, height, wanted, orientation, opaque, span);
            return Tensor.FromBytes(MemoryMarshal.AsBytes((ReadOnlySpan<TOut>)span), dtype, [channels, walk.OutHeight, walk.OutWidth]);
        }
        finally
        {
            ArrayPool<TOut>.Shared.Return(planes);
        }
    }
}
