using Exemplar.Torch;

namespace Exemplar.Vision.IO;

/// <summary>
/// Reads JPEG and PNG files (recognised by their first bytes, not their extension) into <c>[C, H, W]</c> tensors.
/// JPEG goes through libjpeg-turbo with its EXIF orientation applied; PNG through libspng, every bit depth and colour
/// type. Every problem with a file raises <see cref="ImageFormatException"/> naming it; the size limit
/// (<see cref="ImageReadOptions.MaxPixels"/>) is checked from the header before any pixel is decoded, and running out
/// of memory while decoding is reported the same way, naming the file. Thread-safe:
/// each call uses its own decoder.
/// </summary>
/// <example><code>
/// using var image = ImageReader.Read("photo.jpg", ImageReadOptions.Rgb);       // image.Pixels: [3, H, W] uint8
/// using var mask = ImageReader.ReadTensor("mask.png", new ImageReadOptions(Palette: PaletteMode.Indices)); // [1, H, W]
/// </code></example>
public static class ImageReader
{
    /// <summary>Decodes the image file at <paramref name="path"/>.</summary>
    /// <exception cref="ImageFormatException">The file is not a readable JPEG or PNG, or is over the size limit.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static Image Read(string path, ImageReadOptions? options = null) => Decode(ReadFile(path), path, options);

    /// <summary>Decodes the image file at <paramref name="path"/> and returns only its pixels, <c>[C, H, W]</c>.</summary>
    public static Tensor ReadTensor(string path, ImageReadOptions? options = null)
    {
        using var image = Read(path, options);
        return image.TakePixels();
    }

    /// <summary>Decodes an encoded JPEG or PNG held in memory; <paramref name="sourceName"/> names it in error messages.</summary>
    public static Image Decode(ReadOnlySpan<byte> data, string sourceName = "<memory>", ImageReadOptions? options = null)
    {
        options ??= ImageReadOptions.Default;
        options.Validate();
        var format = Sniff(data, sourceName);
        try
        {
            return format == ImageFileFormat.Jpeg ? JpegDecoder.Decode(data, sourceName, options) : PngDecoder.Decode(data, sourceName, options);
        }
        catch (OutOfMemoryException e)
        {
            throw new ImageFormatException(sourceName, $"not enough memory to decode it ({e.Message}); lower ImageReadOptions.MaxPixels or use ScaleDownToSide", e);
        }
        catch (TorchException e)
        {
            // libtorch could not allocate (or fill) the pixel tensor.
            throw new ImageFormatException(sourceName, $"cannot hold the decoded pixels ({e.Message})", e);
        }
    }

    /// <summary>The header facts of the image file at <paramref name="path"/>, read without decoding its pixels.</summary>
    /// <param name="path">The file.</param>
    /// <param name="applyExifOrientation">Report a JPEG's width and height as shown after its EXIF orientation (default true).</param>
    public static ImageInfo ReadInfo(string path, bool applyExifOrientation = true) => ReadInfo(ReadFile(path), path, applyExifOrientation);

    /// <summary>The header facts of an encoded image held in memory.</summary>
    public static ImageInfo ReadInfo(ReadOnlySpan<byte> data, string sourceName = "<memory>", bool applyExifOrientation = true) =>
        Sniff(data, sourceName) switch
        {
            ImageFileFormat.Jpeg => JpegDecoder.ReadInfo(data, sourceName, applyExifOrientation),
            _ => PngDecoder.ReadInfo(data, sourceName),
        };

    private static ImageFileFormat Sniff(ReadOnlySpan<byte> data, string source) =>
        ImageFormatSniffer.Detect(data) ?? throw new ImageFormatException(source, ImageFormatSniffer.DescribeUnsupported(data));

    private static byte[] ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return File.ReadAllBytes(path);
    }
}
