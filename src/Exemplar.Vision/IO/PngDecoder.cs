using System.Buffers;
using System.Runtime.InteropServices;
using Exemplar.Torch;
using Exemplar.Vision.IO.Native;

namespace Exemplar.Vision.IO;

/// <summary>
/// Decodes PNGs with libspng in the file's own layout (no conversion by the library), then unpacks, expands the
/// palette, applies tRNS and scales in C#, so that every bit depth and colour type follows one documented rule.
/// </summary>
internal static class PngDecoder
{
    /// <summary>Largest chunk libspng may read or inflate (metadata such as iCCP, zTXt); image data is bounded by MaxPixels.</summary>
    private const nuint ChunkLimit = 64u << 20;

    internal static unsafe ImageInfo ReadInfo(ReadOnlySpan<byte> data, string source)
    {
        using var ctx = SpngContext.Create(0);
        fixed (byte* p = data)
        {
            return InfoOf(ReadHeader(ctx, p, data.Length, source));
        }
    }

    internal static unsafe Image Decode(ReadOnlySpan<byte> data, string source, ImageReadOptions options)
    {
        using var ctx = SpngContext.Create(0);
        fixed (byte* p = data)
        {
            var ihdr = ReadHeader(ctx, p, data.Length, source);
            var info = InfoOf(ihdr);
            ImageLimits.Check(source, info, options.MaxPixels);
            var transparency = ReadTransparency(ctx, source);
            var palette = ihdr.ColorType == SpngNative.ColorIndexed ? ReadPalette(ctx, transparency, source) : null;
            nuint size;
            Check(SpngNative.spng_decoded_image_size(ctx, SpngNative.FormatPng, &size), source, "cannot size the PNG image");
            long rowBytes = ((long)info.Width * info.BitDepth * info.StoredChannels + 7) / 8;
            int length = ImageLimits.BufferLength(source, rowBytes, info.Height, 1);
            if (size != (nuint)length) throw new ImageFormatException(source, $"libspng reports {size} bytes of pixels where {length} were expected");
            byte[] raw = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
            try
            {
                fixed (byte* dst = raw)
                {
                    Check(SpngNative.spng_decode_image(ctx, dst, size, SpngNative.FormatPng, 0), source, "cannot decode the PNG pixels");
                }
                // Reads on to IEND, so that a file cut after its pixel data is still reported as truncated.
                Check(SpngNative.spng_decode_chunks(ctx), source, "the PNG is damaged after its image data");
                var decoded = new DecodedPng(raw.AsSpan(0, length), info, ihdr.ColorType, palette, transparency);
                return new Image(ToTensor(decoded, options, source), info, palette, source);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(raw);
            }
        }
    }

    private ref struct DecodedPng(Span<byte> raw, ImageInfo info, byte colorType, ImagePalette? palette, SpngTrns? transparency)
    {
        public Span<byte> Raw = raw;
        public ImageInfo Info = info;
        public byte ColorType = colorType;
        public ImagePalette? Palette = palette;
        public SpngTrns? Transparency = transparency;
    }

    private static Tensor ToTensor(DecodedPng png, ImageReadOptions options, string source)
    {
        var info = png.Info;
        int w = info.Width, h = info.Height, depth = info.BitDepth;
        bool raw = options.Samples == SampleValues.Raw;
        if (png.Palette is { } palette)
        {
            byte[]? unpacked = depth < 8 ? PngSamples.Unpack(png.Raw, w, h, depth) : null;
            ReadOnlySpan<byte> indices = unpacked ?? png.Raw;
            if (options.Palette == PaletteMode.Indices)
            {
                return Planes.ToTensor<byte, byte>(indices, PixelLayout.Gray, w, h, ImageChannels.Keep, ExifOrientation.Normal, 255, DType.UInt8);
            }
            bool alpha = palette.HasTransparency || options.Channels == ImageChannels.Rgba;
            var colors = PngSamples.ExpandPalette(indices, w, palette, alpha, source);
            return Planes.ToTensor<byte, byte>(colors, alpha ? PixelLayout.Rgba : PixelLayout.Rgb, w, h, options.Channels, ExifOrientation.Normal, 255, DType.UInt8);
        }

        var layout = (PixelLayout)info.StoredChannels;
        bool keyAlpha = png.Transparency is not null && options.Channels == ImageChannels.Rgba && !layout.HasAlpha();
        if (depth == 16)
        {
            ReadOnlySpan<ushort> samples = MemoryMarshal.Cast<byte, ushort>(png.Raw);
            if (keyAlpha)
            {
                samples = PngSamples.AddKeyAlpha(samples, layout, KeyOf(png.Transparency!.Value, layout), ushort.MaxValue);
                layout += 1;
            }
            return raw
                ? Planes.ToTensor<ushort, int>(samples, layout, w, h, options.Channels, ExifOrientation.Normal, ushort.MaxValue, DType.Int32)
                : Planes.ToTensor<byte, byte>(PngSamples.ScaleDown(samples), layout, w, h, options.Channels, ExifOrientation.Normal, 255, DType.UInt8);
        }

        Span<byte> bytes = depth < 8 ? PngSamples.Unpack(png.Raw, w, h, depth) : png.Raw;
        if (keyAlpha)
        {
            // Before scaling, the key compares with stored values; alpha is written at the value that scales to 255.
            byte opaque = (byte)(raw ? 255 : (1 << depth) - 1);
            Span<ushort> key16 = KeyOf(png.Transparency!.Value, layout);
            Span<byte> key = stackalloc byte[key16.Length];
            for (int i = 0; i < key.Length; i++) key[i] = (byte)Math.Min((int)key16[i], 255);
            bytes = PngSamples.AddKeyAlpha<byte>(bytes, layout, key, opaque);
            layout += 1;
        }
        if (depth < 8 && !raw) PngSamples.ScaleUp(bytes, depth);
        return Planes.ToTensor<byte, byte>(bytes, layout, w, h, options.Channels, ExifOrientation.Normal, 255, DType.UInt8);
    }

    private static ushort[] KeyOf(SpngTrns trns, PixelLayout layout) =>
        layout == PixelLayout.Gray ? [trns.Gray] : [trns.Red, trns.Green, trns.Blue];

    private static unsafe SpngIhdr ReadHeader(SpngContext ctx, byte* data, int length, string source)
    {
        Check(SpngNative.spng_set_chunk_limits(ctx, ChunkLimit, ChunkLimit), source, "cannot configure libspng");
        Check(SpngNative.spng_set_png_buffer(ctx, data, (nuint)length), source, "cannot read the PNG");
        SpngIhdr ihdr;
        Check(SpngNative.spng_get_ihdr(ctx, &ihdr), source, "cannot read the PNG header");
        // Reads every chunk before the image data now, so that their errors are reported as header errors.
        Check(SpngNative.spng_decode_chunks(ctx), source, "cannot read the PNG header chunks");
        if (ihdr.Width == 0 || ihdr.Height == 0 || ihdr.Width > int.MaxValue || ihdr.Height > int.MaxValue)
        {
            throw new ImageFormatException(source, $"the PNG header gives an invalid size {ihdr.Width}x{ihdr.Height}");
        }
        return ihdr;
    }

    private static ImageInfo InfoOf(SpngIhdr ihdr)
    {
        int channels = ihdr.ColorType switch
        {
            SpngNative.ColorGray or SpngNative.ColorIndexed => 1,
            SpngNative.ColorGrayAlpha => 2,
            SpngNative.ColorRgb => 3,
            _ => 4,
        };
        return new ImageInfo(ImageFileFormat.Png, (int)ihdr.Width, (int)ihdr.Height, channels, ihdr.BitDepth,
            ihdr.ColorType == SpngNative.ColorIndexed, ExifOrientation.Normal);
    }

    private static unsafe SpngTrns? ReadTransparency(SpngContext ctx, string source)
    {
        SpngTrns trns;
        int rc = SpngNative.spng_get_trns(ctx, &trns);
        if (rc == SpngNative.ErrorChunkAvailable) return null;
        Check(rc, source, "cannot read the PNG tRNS chunk");
        return trns;
    }

    private static unsafe ImagePalette ReadPalette(SpngContext ctx, SpngTrns? transparency, string source)
    {
        SpngPlte plte;
        int rc = SpngNative.spng_get_plte(ctx, &plte);
        if (rc == SpngNative.ErrorChunkAvailable) throw new ImageFormatException(source, "the PNG is indexed-colour but has no palette (PLTE chunk)");
        Check(rc, source, "cannot read the PNG palette");
        if (plte.EntryCount is 0 or > 256) throw new ImageFormatException(source, $"the PNG palette has {plte.EntryCount} entries");
        var colors = new Rgba32[plte.EntryCount];
        for (int i = 0; i < colors.Length; i++)
        {
            byte alpha = transparency is { } t && i < t.Type3EntryCount && i < 256 ? t.Type3Alpha[i] : (byte)255;
            colors[i] = new Rgba32(plte.Entries[4 * i], plte.Entries[4 * i + 1], plte.Entries[4 * i + 2], alpha);
        }
        return new ImagePalette(colors);
    }

    internal static void Check(int rc, string source, string what)
    {
        if (rc != SpngNative.Ok) throw new ImageFormatException(source, $"{what}: {SpngNative.Describe(rc)}");
    }
}
