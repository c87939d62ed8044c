using Exemplar.Torch;

namespace Exemplar.Vision.IO;

/// <summary>
/// A decoded image: the pixels as a tensor <c>[C, H, W]</c> (uint8, or int32 for raw 16-bit PNG samples) plus what
/// the file said about them. Disposing the image disposes <see cref="Pixels"/> unless it was taken with
/// <see cref="TakePixels"/>.
/// </summary>
public sealed class Image : IDisposable
{
    private Tensor? _pixels;

    internal Image(Tensor pixels, ImageInfo info, ImagePalette? palette, string source)
    {
        _pixels = pixels;
        Info = info;
        Palette = palette;
        Source = source;
    }

    /// <summary>The pixels, <c>[C, H, W]</c> uint8 (int32 for raw 16-bit samples), channel order gray / gray+alpha / RGB / RGBA.</summary>
    public Tensor Pixels => _pixels ?? throw new ObjectDisposedException(nameof(Image), "the pixels were taken or disposed");

    /// <summary>The header facts (format, stored channels, bit depth, orientation).</summary>
    public ImageInfo Info { get; }

    /// <summary>The PNG palette of an indexed image (whether it was expanded or read as indices), else null.</summary>
    public ImagePalette? Palette { get; }

    /// <summary>The file path (or in-memory source name) the image came from.</summary>
    public string Source { get; }

    /// <summary>Channels of <see cref="Pixels"/>.</summary>
    public int Channels => (int)Pixels.Size(0);

    /// <summary>Height of <see cref="Pixels"/>.</summary>
    public int Height => (int)Pixels.Size(1);

    /// <summary>Width of <see cref="Pixels"/>.</summary>
    public int Width => (int)Pixels.Size(2);

    /// <summary>Hands the pixel tensor to the caller (who must dispose it); the image no longer owns it.</summary>
    public Tensor TakePixels()
    {
        var p = Pixels;
        _pixels = null;
        return p;
    }

    /// <summary>Disposes the pixel tensor unless it was taken.</summary>
    public void Dispose()
    {
        _pixels?.Dispose();
        _pixels = null;
    }
}
