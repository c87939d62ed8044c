using System.Globalization;

namespace Exemplar.Vision.IO;

/// <summary>Size checks made from the header, before any pixel is decoded.</summary>
internal static class ImageLimits
{
    /// <summary>Raises when the image has more pixels than <paramref name="maxPixels"/>.</summary>
    internal static void Check(string source, ImageInfo info, long maxPixels)
    {
        if (info.PixelCount > maxPixels)
        {
            throw new ImageFormatException(source, string.Create(CultureInfo.InvariantCulture,
                $"the image is {info.Width}x{info.Height} ({info.PixelCount / 1e6:0.##} megapixels), over the limit of {maxPixels / 1e6:0.##} megapixels (ImageReadOptions.MaxPixels)"));
        }
    }

    /// <summary>Bytes of a decoded buffer, raising when one buffer cannot hold them.</summary>
    internal static int BufferLength(string source, long width, long height, long bytesPerPixel)
    {
        long bytes = width * height * bytesPerPixel;
        if (bytes > Array.MaxLength)
        {
            throw new ImageFormatException(source, $"the image is {width}x{height}: too large to decode into one buffer ({bytes} bytes)");
        }
        return (int)bytes;
    }
}
