using SkiaSharp;

namespace Exemplar.Runtime;

/// <summary>How the bytes of a raw pixel buffer are laid out.</summary>
public enum PixelFormat
{
    /// <summary>3 bytes per pixel: red, green, blue.</summary>
    Rgb24,
    /// <summary>3 bytes per pixel: blue, green, red (OpenCV's order).</summary>
    Bgr24,
    /// <summary>4 bytes per pixel: red, green, blue, alpha (alpha ignored).</summary>
    Rgba32,
    /// <summary>4 bytes per pixel: blue, green, red, alpha (alpha ignored).</summary>
    Bgra32,
    /// <summary>1 byte per pixel.</summary>
    Gray8,
}

/// <summary>
/// An image: a file path, a stream of an encoded file (JPEG, PNG, WebP, BMP, GIF — decoded by SkiaSharp on every OS), or
/// a raw pixel buffer. Decoded to RGBA when used.
/// </summary>
public sealed class ImageInput
{
    private readonly Func<DecodedImage> _decode;

    private ImageInput(string name, Func<DecodedImage> decode)
    {
        Name = name;
        _decode = decode;
    }

    /// <summary>What it is, for messages and results (the file path, or "stream"/"buffer").</summary>
    public string Name { get; }

    /// <summary>An image file.</summary>
    public static ImageInput FromFile(string path) => new(path, () =>
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such image file", path);
        using var stream = File.OpenRead(path);
        return DecodedImage.Decode(stream, path);
    });

    /// <summary>An encoded image in a stream, read (once) when used, from its current position; the caller keeps ownership of the stream.</summary>
    public static ImageInput FromStream(Stream stream, string name = "stream") => new(name, () => DecodedImage.Decode(stream, name));

    /// <summary>Raw pixels: <paramref name="stride"/> bytes per row (0 = tightly packed).</summary>
    public static ImageInput FromPixels(ReadOnlyMemory<byte> pixels, int width, int height, PixelFormat format, int stride = 0, string name = "buffer")
    {
        int bytesPerPixel = format switch { PixelFormat.Rgb24 or PixelFormat.Bgr24 => 3, PixelFormat.Gray8 => 1, _ => 4 };
        if (width < 1 || height < 1) throw new ArgumentException($"{name}: the image must be at least 1x1, got {width}x{height}");
        int rowBytes = stride == 0 ? width * bytesPerPixel : stride;
        if (rowBytes < width * bytesPerPixel) throw new ArgumentException($"{name}: stride {stride} is less than {width} pixels of {bytesPerPixel} bytes");
        if (pixels.Length < (long)rowBytes * (height - 1) + width * bytesPerPixel)
        {
            throw new ArgumentException($"{name}: {pixels.Length} bytes cannot hold {width}x{height} {format} pixels with stride {rowBytes}");
        }
        return new(name, () => DecodedImage.FromPixels(pixels.Span, width, height, format, rowBytes, bytesPerPixel));
    }

    /// <summary>A file path.</summary>
    public static implicit operator ImageInput(string path) => FromFile(path);

    internal DecodedImage Decode() => _decode();
}

/// <summary>Decoded pixels, RGBA, row-major, tightly packed.</summary>
internal sealed record DecodedImage(byte[] Rgba, int Width, int Height)
{
    /// <summary>The most pixels decoded from a file, as Exemplar.Vision's default (a decompression bomb is refused before its pixels are allocated).</summary>
    public const long MaxPixels = 40_000_000;

    public static DecodedImage Decode(Stream stream, string name)
    {
        // The codec owns the SKStream, not the caller's stream (which stays open).
        using var codec = SKCodec.Create(new SKManagedStream(stream, disposeManagedStream: false), out var result)
            ?? throw new InvalidDataException($"{name}: not an image SkiaSharp can decode ({result})");
        var info = codec.Info;
        if ((long)info.Width * info.Height > MaxPixels) throw new InvalidDataException($"{name}: {info.Width}x{info.Height} pixels is more than the {MaxPixels:N0} allowed");
        using var decoded = new SKBitmap(new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var status = codec.GetPixels(decoded.Info, decoded.GetPixels());
        if (status is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            throw new InvalidDataException($"{name}: the image could not be decoded ({status})");
        }
        // Photos say how they are to be shown (EXIF orientation): segment what the user sees.
        using var upright = Orient(decoded, codec.EncodedOrigin);
        return new DecodedImage(upright.Bytes, upright.Width, upright.Height);
    }

    /// <summary>The bitmap turned to its EXIF orientation (the same bitmap, copied, when it is already upright).</summary>
    private static SKBitmap Orient(SKBitmap bitmap, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft) return bitmap.Copy();
        bool swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var rotated = new SKBitmap(new SKImageInfo(swap ? bitmap.Height : bitmap.Width, swap ? bitmap.Width : bitmap.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using var canvas = new SKCanvas(rotated);
        float w = bitmap.Width, h = bitmap.Height;
        // The matrix that maps stored pixels to displayed ones, for each of the eight EXIF orientations.
        var matrix = origin switch
        {
            SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
            SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1),
            _ => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),                                   // LeftBottom
        };
        canvas.SetMatrix(matrix);
        using var paint = new SKPaint { BlendMode = SKBlendMode.Src };
        using var image = SKImage.FromBitmap(bitmap);
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest), paint);
        return rotated;
    }

    public static DecodedImage FromPixels(ReadOnlySpan<byte> pixels, int width, int height, PixelFormat format, int rowBytes, int bytesPerPixel)
    {
        var rgba = new byte[(long)width * height * 4];
        for (int y = 0; y < height; y++)
        {
            var row = pixels.Slice(y * rowBytes, width * bytesPerPixel);
            var output = rgba.AsSpan(y * width * 4, width * 4);
            if (format == PixelFormat.Rgba32)
            {
                row.CopyTo(output);
                continue;
            }
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = format switch
                {
                    PixelFormat.Rgb24 => (row[3 * x], row[3 * x + 1], row[3 * x + 2]),
                    PixelFormat.Bgr24 => (row[3 * x + 2], row[3 * x + 1], row[3 * x]),
                    PixelFormat.Bgra32 => (row[4 * x + 2], row[4 * x + 1], row[4 * x]),
                    _ => (row[x], row[x], row[x]),
                };
                output[4 * x] = r;
                output[4 * x + 1] = g;
                output[4 * x + 2] = b;
                output[4 * x + 3] = 255;
            }
        }
        return new DecodedImage(rgba, width, height);
    }
}
