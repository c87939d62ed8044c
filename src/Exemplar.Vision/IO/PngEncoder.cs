using System.Runtime.InteropServices;
using Exemplar.Vision.IO.Native;

namespace Exemplar.Vision.IO;

/// <summary>Encodes interleaved samples to PNG bytes with libspng.</summary>
internal static class PngEncoder
{
    /// <summary>
    /// PNG bytes of <paramref name="samples"/> (row-major, channels last; 16-bit samples host-endian), with the given
    /// colour type and depth, and a palette (with tRNS when it has transparency) for indexed colour.
    /// </summary>
    internal static unsafe byte[] Encode(ReadOnlySpan<byte> samples, int width, int height, byte colorType, byte bitDepth,
        ImagePalette? palette, PngEncodeOptions options)
    {
        using var ctx = SpngContext.Create(SpngNative.ContextEncoder);
        Check(SpngNative.spng_set_option(ctx, SpngNative.OptionEncodeToBuffer, 1), "set the output buffer");
        Check(SpngNative.spng_set_option(ctx, SpngNative.OptionImageCompressionLevel, options.CompressionLevel), "set the compression level");
        var ihdr = new SpngIhdr { Width = (uint)width, Height = (uint)height, BitDepth = bitDepth, ColorType = colorType };
        Check(SpngNative.spng_set_ihdr(ctx, &ihdr), "set the header");
        if (palette is not null) SetPalette(ctx, palette);
        fixed (byte* p = samples)
        {
            Check(SpngNative.spng_encode_image(ctx, p, (nuint)samples.Length, SpngNative.FormatPng, SpngNative.EncodeFinalize), "encode the image");
        }
        nuint length;
        int error;
        byte* png = (byte*)SpngNative.spng_get_png_buffer(ctx, &length, &error);
        if (png == null || error != SpngNative.Ok) throw new InvalidOperationException($"libspng could not return the PNG: {SpngNative.Describe(error)}");
        try
        {
            return new ReadOnlySpan<byte>(png, checked((int)length)).ToArray();
        }
        finally
        {
            NativeMemory.Free(png); // libspng allocated it with malloc and hands it over
        }
    }

    private static unsafe void SetPalette(SpngContext ctx, ImagePalette palette)
    {
        var plte = new SpngPlte { EntryCount = (uint)palette.Count };
        var trns = new SpngTrns { Type3EntryCount = (uint)palette.Count };
        for (int i = 0; i < palette.Count; i++)
        {
            var c = palette[i];
            plte.Entries[4 * i] = c.R;
            plte.Entries[4 * i + 1] = c.G;
            plte.Entries[4 * i + 2] = c.B;
            plte.Entries[4 * i + 3] = 255;
            trns.Type3Alpha[i] = c.A;
        }
        Check(SpngNative.spng_set_plte(ctx, &plte), "set the palette");
        if (palette.HasTransparency) Check(SpngNative.spng_set_trns(ctx, &trns), "set the palette transparency");
    }

    private static void Check(int rc, string what)
    {
        if (rc != SpngNative.Ok) throw new InvalidOperationException($"libspng could not {what}: {SpngNative.Describe(rc)}");
    }
}
