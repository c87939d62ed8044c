namespace Exemplar.Vision.IO;

/// <summary>Interleaved channel layouts of decoded pixels; the value is the channel count.</summary>
internal enum PixelLayout
{
    Gray = 1,
    GrayAlpha = 2,
    Rgb = 3,
    Rgba = 4,
}

/// <summary>Facts about <see cref="PixelLayout"/> and the channels a request produces from it.</summary>
internal static class PixelLayoutInfo
{
    internal static int Channels(this PixelLayout layout) => (int)layout;

    internal static bool HasAlpha(this PixelLayout layout) => layout is PixelLayout.GrayAlpha or PixelLayout.Rgba;

    internal static bool IsColor(this PixelLayout layout) => layout is PixelLayout.Rgb or PixelLayout.Rgba;

    /// <summary>Channels of the output when <paramref name="wanted"/> is asked of pixels stored as <paramref name="layout"/>.</summary>
    internal static int OutputChannels(this PixelLayout layout, ImageChannels wanted) => wanted switch
    {
        ImageChannels.Keep => (int)layout,
        ImageChannels.Gray => 1,
        ImageChannels.Rgb => 3,
        ImageChannels.Rgba => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(wanted), wanted, "unknown channel request"),
    };
}
