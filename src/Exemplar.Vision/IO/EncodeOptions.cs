namespace Exemplar.Vision.IO;

/// <summary>JPEG chroma subsampling.</summary>
public enum JpegSubsampling
{
    /// <summary>Full-resolution colour (largest files, no colour bleeding at edges).</summary>
    Chroma444,
    /// <summary>Colour at half horizontal resolution.</summary>
    Chroma422,
    /// <summary>Colour at half resolution both ways (the common default, as in PIL).</summary>
    Chroma420,
}

/// <summary>Options for writing JPEGs.</summary>
/// <param name="Quality">1 (worst) to 100 (best); default 90.</param>
/// <param name="Subsampling">Chroma subsampling of colour images (gray images have none); default 4:2:0.</param>
public sealed record JpegEncodeOptions(int Quality = 90, JpegSubsampling Subsampling = JpegSubsampling.Chroma420)
{
    /// <summary>Quality 90, 4:2:0.</summary>
    public static JpegEncodeOptions Default { get; } = new();

    internal void Validate()
    {
        if (Quality is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(Quality), Quality, "JPEG quality goes from 1 to 100");
    }
}

/// <summary>Options for writing PNGs.</summary>
/// <param name="CompressionLevel">zlib level 0 (fastest, largest) to 9 (slowest, smallest); default 6.</param>
public sealed record PngEncodeOptions(int CompressionLevel = 6)
{
    /// <summary>zlib level 6.</summary>
    public static PngEncodeOptions Default { get; } = new();

    internal void Validate()
    {
        if (CompressionLevel is < 0 or > 9) throw new ArgumentOutOfRangeException(nameof(CompressionLevel), CompressionLevel, "zlib levels go from 0 to 9");
    }
}
