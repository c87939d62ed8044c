namespace Exemplar.Vision.IO;

/// <summary>An RGB colour with an alpha value (255 = opaque).</summary>
/// <param name="R">Red.</param>
/// <param name="G">Green.</param>
/// <param name="B">Blue.</param>
/// <param name="A">Alpha (255 = opaque).</param>
public readonly record struct Rgba32(byte R, byte G, byte B, byte A = 255)
{
    /// <inheritdoc/>
    public override string ToString() => A == 255 ? $"({R}, {G}, {B})" : $"({R}, {G}, {B}, {A})";
}

/// <summary>The colour table of an indexed PNG (at most 256 entries), or one to write an indexed PNG with.</summary>
public sealed class ImagePalette
{
    private readonly Rgba32[] _colors;

    /// <summary>A palette of the given colours (1 to 256).</summary>
    public ImagePalette(IEnumerable<Rgba32> colors)
    {
        _colors = colors.ToArray();
        if (_colors.Length is < 1 or > 256)
        {
            throw new ArgumentException($"a palette holds 1 to 256 colours, not {_colors.Length}", nameof(colors));
        }
    }

    /// <summary>The colours, entry i for index i.</summary>
    public IReadOnlyList<Rgba32> Colors => _colors;

    /// <summary>Number of entries.</summary>
    public int Count => _colors.Length;

    /// <summary>Entry <paramref name="index"/>.</summary>
    public Rgba32 this[int index] => _colors[index];

    /// <summary>Whether some entry is not fully opaque (the PNG then needs a tRNS chunk).</summary>
    public bool HasTransparency => _colors.Any(c => c.A != 255);

    /// <summary>
    /// The 256-colour PASCAL VOC palette (index 0 black, 1 (128, 0, 0), 2 (0, 128, 0), …, 255 (224, 224, 192)), the
    /// usual palette of segmentation masks: the bits of the index are spread over the high bits of R, G and B.
    /// </summary>
    public static ImagePalette Voc { get; } = new(Enumerable.Range(0, 256).Select(VocColor));

    private static Rgba32 VocColor(int index)
    {
        int r = 0, g = 0, b = 0, c = index;
        for (int bit = 7; bit >= 0; bit--, c >>= 3)
        {
            r |= (c & 1) << bit;
            g |= ((c >> 1) & 1) << bit;
            b |= ((c >> 2) & 1) << bit;
        }
        return new Rgba32((byte)r, (byte)g, (byte)b);
    }
}
