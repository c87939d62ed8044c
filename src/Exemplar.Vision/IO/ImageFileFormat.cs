namespace Exemplar.Vision.IO;

/// <summary>The encodings Exemplar reads and writes.</summary>
public enum ImageFileFormat
{
    /// <summary>JPEG (JFIF/EXIF), through libjpeg-turbo.</summary>
    Jpeg,
    /// <summary>PNG, through libspng.</summary>
    Png,
}

/// <summary>Recognises image files by their first bytes (never by their extension).</summary>
public static class ImageFormatSniffer
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The format of <paramref name="data"/>, or null when it is neither JPEG nor PNG.</summary>
    public static ImageFileFormat? Detect(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return ImageFileFormat.Jpeg;
        if (data.StartsWith(PngSignature)) return ImageFileFormat.Png;
        return null;
    }

    /// <summary>A description of what <paramref name="data"/> appears to be, for error messages about unsupported files.</summary>
    internal static string DescribeUnsupported(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return "the file is empty";
        string? kind = data switch
        {
            [(byte)'G', (byte)'I', (byte)'F', (byte)'8', ..] => "GIF",
            [(byte)'B', (byte)'M', ..] => "BMP",
            [(byte)'I', (byte)'I', 42, 0, ..] or [(byte)'M', (byte)'M', 0, 42, ..] => "TIFF",
            [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => "WebP",
            [(byte)'P', >= (byte)'1' and <= (byte)'6', ..] => "PNM",
            [0xFF, 0xD8, ..] => "a damaged JPEG (no marker after SOI)",
            [0x89, (byte)'P', (byte)'N', (byte)'G', ..] => "a damaged PNG (bad signature)",
            _ => null,
        };
        string head = Convert.ToHexString(data[..Math.Min(8, data.Length)]);
        return kind is null
            ? $"not a JPEG or PNG file (first bytes {head})"
            : $"unsupported image format: looks like {kind} (first bytes {head}); only JPEG and PNG are read";
    }
}
