using System.Runtime.InteropServices;
using Exemplar.Vision.IO.Native;

namespace Exemplar.Vision.IO;

/// <summary>Encodes interleaved 8-bit gray or RGB pixels to JPEG bytes with TurboJPEG.</summary>
internal static class JpegEncoder
{
    internal static unsafe byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels, JpegEncodeOptions options)
    {
        using var tj = TurboJpegHandle.CreateCompressor();
        int format = channels == 1 ? TurboJpegNative.PixelFormatGray : TurboJpegNative.PixelFormatRgb;
        int subsampling = channels == 1 ? TurboJpegNative.SubsamplingGray : options.Subsampling switch
        {
            JpegSubsampling.Chroma444 => TurboJpegNative.Subsampling444,
            JpegSubsampling.Chroma422 => TurboJpegNative.Subsampling422,
            _ => TurboJpegNative.Subsampling420,
        };
        byte* jpeg = null;
        var size = new CULong(0);
        try
        {
            fixed (byte* p = pixels)
            {
                if (TurboJpegNative.tjCompress2(tj, p, width, width * channels, height, format, &jpeg, &size, subsampling, options.Quality,
                        TurboJpegNative.FlagAccurateDct) != 0)
                {
                    throw new InvalidOperationException($"libjpeg-turbo could not encode the image: {TurboJpegNative.LastError(tj)}");
                }
            }
            return new ReadOnlySpan<byte>(jpeg, checked((int)size.Value)).ToArray();
        }
        finally
        {
            if (jpeg != null) TurboJpegNative.tjFree(jpeg);
        }
    }
}
