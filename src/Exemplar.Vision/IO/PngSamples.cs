using System.Numerics;

namespace Exemplar.Vision.IO;

/// <summary>Sample-level work on decoded PNG rows: unpacking sub-byte depths, palette expansion, tRNS alpha, depth scaling.</summary>
internal static class PngSamples
{
    /// <summary>
    /// Unpacks rows of 1-, 2- or 4-bit samples (each row padded to a whole byte, most significant bits first) into one
    /// byte per sample, unscaled.
    /// </summary>
    internal static byte[] Unpack(ReadOnlySpan<byte> packed, int width, int height, int depth)
    {
        int rowBytes = (width * depth + 7) / 8;
        int perByte = 8 / depth, mask = (1 << depth) - 1;
        var result = GC.AllocateUninitializedArray<byte>(checked(width * height));
        for (int y = 0; y < height; y++)
        {
            var row = packed.Slice(y * rowBytes, rowBytes);
            var output = result.AsSpan(y * width, width);
            for (int x = 0; x < width; x++)
            {
                int shift = 8 - depth * (x % perByte + 1);
                output[x] = (byte)((row[x / perByte] >> shift) & mask);
            }
        }
        return result;
    }

    /// <summary>Scales samples of <paramref name="depth"/> bits (1, 2 or 4) to 0..255 in place: v × 255 / (2^depth − 1).</summary>
    internal static void ScaleUp(Span<byte> samples, int depth)
    {
        int factor = 255 / ((1 << depth) - 1);
        foreach (ref byte s in samples) s = (byte)(s * factor);
    }

    /// <summary>16-bit samples to 8-bit: round(v / 257), which is exact for values written as v8 × 257.</summary>
    internal static byte[] ScaleDown(ReadOnlySpan<ushort> samples)
    {
        var result = GC.AllocateUninitializedArray<byte>(samples.Length);
        for (int i = 0; i < samples.Length; i++) result[i] = (byte)((samples[i] + 128) / 257);
        return result;
    }

    /// <summary>
    /// Adds an alpha channel from a tRNS key colour: 0 where the pixel's colour equals <paramref name="key"/>
    /// (1 value for gray, 3 for RGB), else <paramref name="opaque"/>. Gray becomes gray+alpha, RGB becomes RGBA.
    /// </summary>
    internal static T[] AddKeyAlpha<T>(ReadOnlySpan<T> samples, PixelLayout layout, ReadOnlySpan<T> key, T opaque)
        where T : unmanaged, IBinaryInteger<T>
    {
        int channels = layout.Channels(), pixels = samples.Length / channels;
        var result = GC.AllocateUninitializedArray<T>(checked(pixels * (channels + 1)));
        for (int i = 0; i < pixels; i++)
        {
            var pixel = samples.Slice(i * channels, channels);
            pixel.CopyTo(result.AsSpan(i * (channels + 1)));
            result[i * (channels + 1) + channels] = pixel.SequenceEqual(key) ? T.Zero : opaque;
        }
        return result;
    }

    /// <summary>
    /// Replaces palette indices by their colours: RGB, or RGBA when <paramref name="withAlpha"/>. An index past the end
    /// of the palette is an error in the file.
    /// </summary>
    internal static byte[] ExpandPalette(ReadOnlySpan<byte> indices, int width, ImagePalette palette, bool withAlpha, string source)
    {
        int channels = withAlpha ? 4 : 3;
        Span<byte> table = stackalloc byte[256 * 4];
        for (int i = 0; i < palette.Count; i++)
        {
            var c = palette[i];
            table[4 * i] = c.R;
            table[4 * i + 1] = c.G;
            table[4 * i + 2] = c.B;
            table[4 * i + 3] = c.A;
        }
        var result = GC.AllocateUninitializedArray<byte>(checked(indices.Length * channels));
        for (int i = 0; i < indices.Length; i++)
        {
            int index = indices[i];
            if (index >= palette.Count)
            {
                throw new ImageFormatException(source,
                    $"pixel ({i % width}, {i / width}) has palette index {index} but the palette has only {palette.Count} entries");
            }
            table.Slice(4 * index, channels).CopyTo(result.AsSpan(i * channels, channels));
        }
        return result;
    }
}
