namespace Exemplar.Vision.IO;

/// <summary>Which channels a decoded image has.</summary>
public enum ImageChannels
{
    /// <summary>As stored: 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA); palette PNGs expand to RGB, or RGBA when they have transparency.</summary>
    Keep,
    /// <summary>1 channel. Colour is converted with the ITU-R 601 luma weights (0.299 R + 0.587 G + 0.114 B, rounded); alpha is dropped.</summary>
    Gray,
    /// <summary>3 channels. Gray is replicated; alpha is dropped.</summary>
    Rgb,
    /// <summary>4 channels. Alpha is 255 (or 65535 for raw 16-bit) where the file has none, or comes from a PNG's tRNS chunk.</summary>
    Rgba,
}

/// <summary>How palette (indexed-colour) PNGs are read.</summary>
public enum PaletteMode
{
    /// <summary>Each index is replaced by its palette colour (and alpha, when the file has transparency).</summary>
    Expand,
    /// <summary>The index values themselves, 1 channel: how VOC-style segmentation masks store class ids.</summary>
    Indices,
}

/// <summary>How sample values of bit depths other than 8 are returned.</summary>
public enum SampleValues
{
    /// <summary>
    /// Always uint8 in 0..255: 1-, 2- and 4-bit gray are scaled up (×255, ×85, ×17, as PIL does) and 16-bit samples
    /// are scaled down as round(v / 257), so an 8-bit image written at 16 bits reads back exactly.
    /// </summary>
    ScaleToUInt8,
    /// <summary>
    /// The stored values: uint8 for depths up to 8 (a 4-bit gray 3 reads as 3), int32 for 16-bit PNGs (0..65535),
    /// which is what class-id or depth masks need.
    /// </summary>
    Raw,
}

/// <summary>Options for <see cref="ImageReader"/>.</summary>
/// <param name="Channels">The channels wanted (default: as stored).</param>
/// <param name="Palette">Palette PNGs: colours (default) or index values. Ignored for other images.</param>
/// <param name="Samples">Bit depths other than 8: scaled to uint8 (default) or raw.</param>
/// <param name="MaxPixels">
/// Largest width × height decoded, checked from the header before any pixel is decoded (default 40 megapixels, more
/// than any camera photo; decoding one takes up to about 20 bytes per pixel at the peak), so that a corrupt or hostile
/// header cannot make the decoder allocate gigabytes. For a JPEG decoded at a reduced scale
/// (<paramref name="ScaleDownToSide"/>) it applies to the reduced size.
/// </param>
/// <param name="ApplyExifOrientation">Rotate/flip JPEGs as their EXIF orientation tag says (default true), as viewers show them.</param>
/// <param name="AllowJpegWarnings">
/// Accept JPEGs that libjpeg decodes with warnings such as "extraneous bytes before marker" (default false: any
/// warning raises <see cref="ImageFormatException"/>). A truncated JPEG is rejected either way.
/// </param>
/// <param name="ScaleDownToSide">
/// For callers that will shrink the image anyway (the segmenter works at a few hundred pixels): a JPEG whose longest
/// side is more than twice this is decoded at the smallest of libjpeg-turbo's scales 1/2, 1/4 and 1/8 that keeps its
/// longest side at least this long — scaled while decoding, so several times faster and with a fraction of the
/// memory. The pixels are then smaller than <see cref="Image.Info"/>'s size, which stays the file's. Null (default):
/// full size. PNGs are always decoded at full size.
/// </param>
public sealed record ImageReadOptions(
    ImageChannels Channels = ImageChannels.Keep,
    PaletteMode Palette = PaletteMode.Expand,
    SampleValues Samples = SampleValues.ScaleToUInt8,
    long MaxPixels = ImageReadOptions.DefaultMaxPixels,
    bool ApplyExifOrientation = true,
    bool AllowJpegWarnings = false,
    int? ScaleDownToSide = null)
{
    /// <summary>The default size limit: 40 megapixels.</summary>
    public const long DefaultMaxPixels = 40_000_000;

    /// <summary>The defaults: channels as stored, palettes expanded, uint8 samples, 40 MP limit, EXIF orientation applied, full size.</summary>
    public static ImageReadOptions Default { get; } = new();

    /// <summary>3-channel RGB, whatever the file holds.</summary>
    public static ImageReadOptions Rgb { get; } = new(Channels: ImageChannels.Rgb);

    /// <summary>1-channel gray, whatever the file holds.</summary>
    public static ImageReadOptions Gray { get; } = new(Channels: ImageChannels.Gray);

    internal void Validate()
    {
        if (MaxPixels <= 0) throw new ArgumentOutOfRangeException(nameof(MaxPixels), MaxPixels, "the pixel limit must be positive");
        if (ScaleDownToSide <= 0) throw new ArgumentOutOfRangeException(nameof(ScaleDownToSide), ScaleDownToSide, "the side to scale down to must be positive");
        if (Palette == PaletteMode.Indices && Channels is ImageChannels.Rgb or ImageChannels.Rgba)
        {
            throw new ArgumentException($"palette indices are one channel: Channels = {Channels} contradicts Palette = Indices (use Keep)");
        }
    }
}
