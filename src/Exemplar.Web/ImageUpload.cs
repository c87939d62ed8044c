using SkiaSharp;

namespace Exemplar.Web;

/// <summary>
/// An uploaded image held in memory: its bytes, the format sniffed from them (never from the file name or the part's
/// content type), and its displayed size read from the header before any pixel is decoded.
/// </summary>
internal sealed record ImageUpload(string Field, string Name, byte[] Bytes, string Format, int Width, int Height)
{
    /// <summary>Formats SkiaSharp decodes on every OS, by their leading bytes.</summary>
    internal static string? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "jpeg";
        if (b.Length >= 8 && b[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return "png";
        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8)) return "webp";
        if (b.Length >= 6 && (b[..6].SequenceEqual("GIF87a"u8) || b[..6].SequenceEqual("GIF89a"u8))) return "gif";
        if (b.Length >= 2 && b[0] == 'B' && b[1] == 'M') return "bmp";
        return null;
    }

    /// <summary>Checks the bytes are an image within <paramref name="maxPixels"/> and reads its size from the header.</summary>
    /// <exception cref="WebProblemException">415 not an image, 413 too many pixels, 400 a header that does not parse.</exception>
    internal static ImageUpload Probe(string field, string name, byte[] bytes, long maxPixels)
    {
        string format = Sniff(bytes) ?? throw WebProblemException.UnsupportedMedia($"{field} '{name}': not a JPEG, PNG, WebP, GIF or BMP image (judged from its bytes)");
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data) ?? throw WebProblemException.BadRequest($"{field} '{name}': a damaged {format} image (its header does not parse)");
        var info = codec.Info;
        if (info.Width < 1 || info.Height < 1) throw WebProblemException.BadRequest($"{field} '{name}': the image has no pixels");
        if ((long)info.Width * info.Height > maxPixels)
        {
            throw WebProblemException.TooLarge($"{field} '{name}': {info.Width}x{info.Height} pixels is more than the {maxPixels:N0} allowed");
        }
        // The runtime turns photos upright by their EXIF orientation; masks must match the upright size.
        bool swap = codec.EncodedOrigin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        return new ImageUpload(field, name, bytes, format, swap ? info.Height : info.Width, swap ? info.Width : info.Height);
    }

    /// <summary>Decodes to RGBA (a damaged body is a 400, not a 500).</summary>
    internal SKBitmap DecodeRgba()
    {
        using var data = SKData.CreateCopy(Bytes);
        using var codec = SKCodec.Create(data) ?? throw WebProblemException.BadRequest($"{Field} '{Name}': a damaged {Format} image");
        var bitmap = new SKBitmap(new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var status = codec.GetPixels(bitmap.Info, bitmap.GetPixels());
        if (status is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            bitmap.Dispose();
            throw WebProblemException.BadRequest($"{Field} '{Name}': the {Format} image could not be decoded ({status})");
        }
        return bitmap;
    }

    /// <summary>The image for the runtime (decoded by it, EXIF orientation included).</summary>
    internal Exemplar.Runtime.ImageInput ToInput() => Exemplar.Runtime.ImageInput.FromStream(new MemoryStream(Bytes, writable: false), $"{Field} '{Name}'");
}
