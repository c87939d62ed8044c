namespace Exemplar.Vision.IO;

/// <summary>What an image file's header says, read without decoding pixels.</summary>
/// <param name="Format">JPEG or PNG.</param>
/// <param name="Width">Width of the image as shown, i.e. after the EXIF orientation when it is applied.</param>
/// <param name="Height">Height of the image as shown.</param>
/// <param name="StoredChannels">Channels stored in the file: 1 gray (or palette index), 2 gray + alpha, 3 colour, 4 RGBA or CMYK.</param>
/// <param name="BitDepth">Bits per sample (JPEG 8; PNG 1, 2, 4, 8 or 16).</param>
/// <param name="IsIndexed">Whether the file is a palette PNG.</param>
/// <param name="Orientation">The EXIF orientation tag of a JPEG (Normal when absent, and for PNGs).</param>
public sealed record ImageInfo(
    ImageFileFormat Format,
    int Width,
    int Height,
    int StoredChannels,
    int BitDepth,
    bool IsIndexed,
    ExifOrientation Orientation)
{
    /// <summary>Width × height.</summary>
    public long PixelCount => (long)Width * Height;
}
