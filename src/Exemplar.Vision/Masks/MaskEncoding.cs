using Exemplar.Vision.IO;

namespace Exemplar.Vision.Masks;

/// <summary>How a mask file stores its labels. Pick one of the records below, or a preset in <see cref="MaskEncodings"/>.</summary>
public abstract record MaskEncoding;

/// <summary>
/// A foreground/background mask. Palette PNGs: every non-zero index is foreground (index 0 is the background, as in
/// PerSeg and DAVIS-2017 masks, whose foreground colour (128, 0, 0) is dark). Other files: the gray value (ITU-R 601
/// luma for colour files) is foreground when ≥ <paramref name="Threshold"/>, as FSS-1000's loader does with 128.
/// With a null threshold the level adapts to the file: a pixel is foreground when its brightest channel reaches half
/// the brightest value in the image (rounded up), so 0/1 and 0/255 gray masks and any colour on black all work.
/// JPEG masks are accepted: thresholding absorbs compression noise.
/// </summary>
/// <param name="Threshold">Gray level from which a pixel is foreground (1 to 255; default 128), or null to adapt to the file.</param>
public sealed record BinaryMaskEncoding(int? Threshold = 128) : MaskEncoding;

/// <summary>
/// Class ids stored as the gray value of a single-channel PNG (CamVid, CCP; 8 or 16 bits, read raw) or as palette
/// indices (PASCAL VOC). Pixels equal to <paramref name="IgnoreValue"/> are ignored (void). JPEG is refused: its
/// artefacts would invent classes.
/// </summary>
/// <param name="IgnoreValue">The stored value meaning "ignore" (CamVid 11, VOC 255), or null when there is none.</param>
public sealed record ClassIdMaskEncoding(int? IgnoreValue = null) : MaskEncoding;

/// <summary>What to do with a colour that a <see cref="ColorTable"/> does not list.</summary>
public enum UnknownColorPolicy
{
    /// <summary>Raise <see cref="ImageFormatException"/> naming the colour and a pixel that has it (the default: a wrong table is a bug).</summary>
    Error,
    /// <summary>Mark the pixel as ignored.</summary>
    Ignore,
    /// <summary>Use the nearest listed colour (squared RGB distance; the first listed wins ties): for anti-aliased or lossy colour masks such as SegGPT's.</summary>
    Nearest,
}

/// <summary>
/// Class ids painted as colours (SegGPT's <c>*_target.png</c>, Cityscapes-style colour maps): each colour of
/// <paramref name="Colors"/> maps to its id; alpha is ignored. Palette PNGs are expanded first.
/// </summary>
/// <param name="Colors">The colour → class id table.</param>
/// <param name="UnknownColors">Colours not in the table: error (default), ignore, or nearest.</param>
public sealed record ColorMapMaskEncoding(ColorTable Colors, UnknownColorPolicy UnknownColors = UnknownColorPolicy.Error) : MaskEncoding;

/// <summary>The encodings of the data sets Exemplar knows.</summary>
public static class MaskEncodings
{
    /// <summary>FSS-1000, DAVIS, ISBI, DRIVE, magnetic-tile: gray 0/255 (or anti-aliased), threshold 128.</summary>
    public static BinaryMaskEncoding Binary { get; } = new();

    /// <summary>
    /// Binary masks as users draw them: 0/1 or 0/255 gray, or any colour on black (threshold adapted to the file, see
    /// <see cref="BinaryMaskEncoding"/>).
    /// </summary>
    public static BinaryMaskEncoding AnyBinary { get; } = new(Threshold: null);

    /// <summary>PASCAL VOC: palette indices, 255 = void.</summary>
    public static ClassIdMaskEncoding Voc { get; } = new(IgnoreValue: 255);

    /// <summary>CamVid (SegNet layout): gray class ids 0..10, 11 = void.</summary>
    public static ClassIdMaskEncoding CamVid { get; } = new(IgnoreValue: 11);

    /// <summary>Clothing Co-Parsing: gray class ids 0..58 (0 = background), nothing ignored.</summary>
    public static ClassIdMaskEncoding Ccp { get; } = new();

    /// <summary>SegGPT targets: black background (0), white foreground (1), anti-aliased edges snapped to the nearer.</summary>
    public static ColorMapMaskEncoding SegGptBinary { get; } =
        new(new ColorTable([(new Rgba32(0, 0, 0), 0), (new Rgba32(255, 255, 255), 1)]), UnknownColorPolicy.Nearest);
}
