using Exemplar.Vision.IO;

namespace Exemplar.Vision.Visualization;

/// <summary>How <see cref="MaskOverlay"/> paints labels over an image.</summary>
/// <param name="Alpha">Opacity of the class colour over the image, 0 to 1 (default 0.5).</param>
/// <param name="DrawContours">Paint each region's boundary pixels in its colour at full opacity (default true).</param>
/// <param name="Palette">Colour of class c is entry c mod 256 (default <see cref="ImagePalette.Voc"/>: 1 red, 2 green, 3 olive, …).</param>
/// <param name="BackgroundLabel">Label left unpainted (default 0), or null to paint every label.</param>
/// <param name="IgnoreLabel">Label left unpainted as void (default 255), or null.</param>
/// <param name="ContrastContours">
/// Paint contours white over dark pixels and black over bright ones (by luma) instead of in the class colour: visible
/// on objects of the class colour itself (a red object under a red mask).
/// </param>
public sealed record OverlayOptions(
    double Alpha = 0.5,
    bool DrawContours = true,
    ImagePalette? Palette = null,
    long? BackgroundLabel = 0,
    long? IgnoreLabel = 255,
    bool ContrastContours = false)
{
    /// <summary>For one class: the default blend with contrasting (black or white) contours.</summary>
    public static OverlayOptions SingleClass { get; } = new(ContrastContours: true);

    /// <summary>Alpha 0.5, contours, VOC colours, 0 and 255 unpainted.</summary>
    public static OverlayOptions Default { get; } = new();

    internal ImagePalette Colors => Palette ?? ImagePalette.Voc;

    internal bool Paints(long label) => label != BackgroundLabel && label != IgnoreLabel;

    internal void Validate()
    {
        if (Alpha is < 0 or > 1 || double.IsNaN(Alpha)) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "alpha goes from 0 to 1");
    }
}

/// <summary>How <see cref="ImageGrid"/> lays out cells.</summary>
/// <param name="Separator">Pixels between neighbouring cells (default 4; 0 for none). There is no outer border.</param>
/// <param name="SeparatorColor">Colour of the separators (default white).</param>
/// <param name="Background">Colour filling cells smaller than their row or column (default black).</param>
public sealed record GridOptions(int Separator = 4, Rgba32? SeparatorColor = null, Rgba32? Background = null)
{
    /// <summary>4-pixel white separators, black padding.</summary>
    public static GridOptions Default { get; } = new();
}
