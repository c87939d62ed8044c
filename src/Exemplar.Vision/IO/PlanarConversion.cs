using System.Numerics;
using System.Runtime.InteropServices;

namespace Exemplar.Vision.IO;

/// <summary>
/// Turns interleaved decoded pixels (row-major, channels last) into channel planes <c>[C, H, W]</c>, converting the
/// channels (gray ↔ RGB, alpha added or dropped) and applying an EXIF orientation in the same pass.
/// </summary>
internal static class PlanarConversion
{
    /// <summary>
    /// Writes the planes of <paramref name="src"/> (<paramref name="width"/> × <paramref name="height"/>, laid out as
    /// <paramref name="layout"/>) into <paramref name="dst"/>, which holds exactly C × H' × W' values where H', W' are
    /// the oriented sizes. <paramref name="opaque"/> is the alpha written where the source has none.
    /// </summary>
    internal static void ToPlanes<T, TOut>(ReadOnlySpan<T> src, PixelLayout layout, int width, int height, ImageChannels wanted,
        ExifOrientation orientation, T opaque, Span<TOut> dst)
        where T : unmanaged, IBinaryInteger<T>
        where TOut : unmanaged, IBinaryInteger<TOut>
    {
        int outChannels = layout.OutputChannels(wanted);
        int plane = checked(width * height);
        if (src.Length != plane * layout.Channels()) throw new InvalidOperationException("source buffer size does not match the image");
        if (dst.Length != plane * outChannels) throw new InvalidOperationException("destination buffer size does not match the image");
        var walk = PixelWalk.For(orientation, width, height);
        bool upright = orientation == ExifOrientation.Normal;
        bool identity = wanted == ImageChannels.Keep
            || (wanted, layout) is (ImageChannels.Gray, PixelLayout.Gray) or (ImageChannels.Rgb, PixelLayout.Rgb) or (ImageChannels.Rgba, PixelLayout.Rgba);
        if (typeof(T) == typeof(byte) && typeof(TOut) == typeof(byte) && upright && identity)
        {
            // The common cases, upright with channels kept: a copy, or a vectorised split of RGB.
            if (layout == PixelLayout.Gray) { MemoryMarshal.AsBytes(src).CopyTo(MemoryMarshal.AsBytes(dst)); return; }
            if (layout == PixelLayout.Rgb) { RgbSplitter.Split(MemoryMarshal.AsBytes(src), MemoryMarshal.AsBytes(dst)); return; }
        }
        for (int c = 0; c < outChannels; c++)
        {
            var target = dst.Slice(c * plane, plane);
            switch (SourceOf(layout, wanted, c))
            {
                case var k when k >= 0: Copy(src, layout.Channels(), k, walk, target); break;
                case Luma: WriteLuma(src, layout.Channels(), walk, target); break;
                default: target.Fill(TOut.CreateTruncating(opaque)); break;
            }
        }
    }

    private const int Luma = -1;
    private const int Opaque = -2;

    /// <summary>The source channel of output channel <paramref name="c"/>, or <see cref="Luma"/> / <see cref="Opaque"/>.</summary>
    private static int SourceOf(PixelLayout layout, ImageChannels wanted, int c) => wanted switch
    {
        ImageChannels.Keep => c,
        ImageChannels.Gray => layout.IsColor() ? Luma : 0,
        ImageChannels.Rgb => layout.IsColor() ? c : 0,
        _ when c < 3 => layout.IsColor() ? c : 0,
        _ => layout.HasAlpha() ? layout.Channels() - 1 : Opaque,
    };

    private static unsafe void Copy<T, TOut>(ReadOnlySpan<T> src, int channels, int k, PixelWalk walk, Span<TOut> dst)
        where T : unmanaged, IBinaryInteger<T>
        where TOut : unmanaged, IBinaryInteger<TOut>
    {
        fixed (T* s0 = src)
        fixed (TOut* d0 = dst)
        {
            TOut* d = d0;
            for (int i = 0; i < walk.OutHeight; i++)
            {
                T* s = s0 + (walk.Start + (long)i * walk.RowStep) * channels + k;
                long step = (long)walk.ColumnStep * channels;
                for (int j = 0; j < walk.OutWidth; j++, s += step)
                {
                    *d++ = TOut.CreateTruncating(*s);
                }
            }
        }
    }

    /// <summary>ITU-R 601 luma with PIL's fixed-point weights: (19595 R + 38470 G + 7471 B + 2^15) >> 16.</summary>
    private static unsafe void WriteLuma<T, TOut>(ReadOnlySpan<T> src, int channels, PixelWalk walk, Span<TOut> dst)
        where T : unmanaged, IBinaryInteger<T>
        where TOut : unmanaged, IBinaryInteger<TOut>
    {
        fixed (T* s0 = src)
        fixed (TOut* d0 = dst)
        {
            TOut* d = d0;
            for (int i = 0; i < walk.OutHeight; i++)
            {
                T* s = s0 + (walk.Start + (long)i * walk.RowStep) * channels;
                long step = (long)walk.ColumnStep * channels;
                for (int j = 0; j < walk.OutWidth; j++, s += step)
                {
                    long y = (19595L * long.CreateTruncating(s[0]) + 38470L * long.CreateTruncating(s[1]) + 7471L * long.CreateTruncating(s[2]) + 32768L) >> 16;
                    *d++ = TOut.CreateTruncating(y);
                }
            }
        }
    }
}

/// <summary>
/// Where output pixel (i, j) of an oriented image comes from in the stored one: pixel index
/// <c>Start + i * RowStep + j * ColumnStep</c> of the stored row-major image.
/// </summary>
internal readonly record struct PixelWalk(int OutHeight, int OutWidth, long Start, long RowStep, long ColumnStep)
{
    internal static PixelWalk For(ExifOrientation orientation, int width, int height)
    {
        long w = width, h = height, last = (h - 1) * w; // index of the first pixel of the last stored row
        return orientation switch
        {
            ExifOrientation.FlipHorizontal => new(height, width, w - 1, w, -1),
            ExifOrientation.Rotate180 => new(height, width, last + w - 1, -w, -1),
            ExifOrientation.FlipVertical => new(height, width, last, -w, 1),
            ExifOrientation.Transpose => new(width, height, 0, 1, w),
            ExifOrientation.Rotate90Clockwise => new(width, height, last, 1, -w),
            ExifOrientation.Transverse => new(width, height, last + w - 1, -1, -w),
            ExifOrientation.Rotate90CounterClockwise => new(width, height, w - 1, -1, w),
            _ => new(height, width, 0, w, 1),
        };
    }
}
