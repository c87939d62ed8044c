using System.Buffers;
using System.Runtime.InteropServices;
using Exemplar.Torch;
using Exemplar.Vision.IO.Native;

namespace Exemplar.Vision.IO;

/// <summary>Decodes JPEGs with TurboJPEG: header first (size limit), then pixels, then orientation and channel planes.</summary>
internal static class JpegDecoder
{
    /// <summary>The header facts, with width and height as shown after the EXIF orientation.</summary>
    internal static unsafe ImageInfo ReadInfo(ReadOnlySpan<byte> data, string source, bool applyOrientation)
    {
        using var tj = TurboJpegHandle.CreateDecompressor();
        fixed (byte* p = data)
        {
            return ReadHeader(tj, p, data, source, applyOrientation).Info;
        }
    }

    internal static unsafe Image Decode(ReadOnlySpan<byte> data, string source, ImageReadOptions options)
    {
        using var tj = TurboJpegHandle.CreateDecompressor();
        fixed (byte* p = data)
        {
            var header = ReadHeader(tj, p, data, source, options.ApplyExifOrientation);
            var info = header.Info;
            int scale = ScaleDenominator(Math.Max(header.StoredWidth, header.StoredHeight), options.ScaleDownToSide);
            // TJSCALED: libjpeg-turbo rounds scaled sizes up; asked for exactly these, tjDecompress2 picks the scale 1/scale.
            int storedWidth = (header.StoredWidth + scale - 1) / scale, storedHeight = (header.StoredHeight + scale - 1) / scale;
            bool swap = info.Width != header.StoredWidth;
            ImageLimits.Check(source, info with { Width = swap ? storedHeight : storedWidth, Height = swap ? storedWidth : storedHeight }, options.MaxPixels);
            (int pixelFormat, int pixelSize) = header.Colorspace switch
            {
                TurboJpegNative.ColorspaceGray => (TurboJpegNative.PixelFormatGray, 1),
                TurboJpegNative.ColorspaceCmyk or TurboJpegNative.ColorspaceYcck => (TurboJpegNative.PixelFormatCmyk, 4),
                _ when options.Channels == ImageChannels.Gray => (TurboJpegNative.PixelFormatGray, 1), // libjpeg's Y: no colour work
                _ => (TurboJpegNative.PixelFormatRgb, 3),
            };
            int bytes = ImageLimits.BufferLength(source, storedWidth, storedHeight, pixelSize);
            byte[] buffer = ArrayPool<byte>.Shared.Rent(bytes);
            try
            {
                int flags = TurboJpegNative.FlagLimitScans | (options.AllowJpegWarnings ? 0 : TurboJpegNative.FlagStopOnWarning);
                fixed (byte* dst = buffer)
                {
                    int rc = TurboJpegNative.tjDecompress2(tj, p, new CULong((nuint)data.Length), dst, storedWidth, storedWidth * pixelSize,
                        storedHeight, pixelFormat, flags);
                    if (rc != 0) CheckDecodeFailure(tj, data, header.Metadata.FirstScan, source, options.AllowJpegWarnings);
                }
                var pixels = buffer.AsSpan(0, bytes);
                var layout = PixelLayout.Rgb;
                if (pixelSize == 1) layout = PixelLayout.Gray;
                else if (pixelSize == 4) pixels = CmykToRgb(pixels, header.Metadata.HasAdobeMarker);
                var orientation = options.ApplyExifOrientation ? header.Metadata.Orientation : ExifOrientation.Normal;
                var tensor = Planes.ToTensor<byte, byte>(pixels, layout, storedWidth, storedHeight, options.Channels, orientation, 255, DType.UInt8);
                return new Image(tensor, info, null, source);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>The largest of 1, 2, 4, 8 that keeps <paramref name="longestSide"/> / it at least <paramref name="side"/> (1 without a side).</summary>
    internal static int ScaleDenominator(int longestSide, int? side)
    {
        if (side is not int wanted) return 1;
        int scale = 8;
        while (scale > 1 && (longestSide + scale - 1) / scale < wanted) scale /= 2;
        return scale;
    }

    private readonly record struct Header(ImageInfo Info, int StoredWidth, int StoredHeight, int Colorspace, JpegMetadata Metadata);

    private static unsafe Header ReadHeader(TurboJpegHandle tj, byte* p, ReadOnlySpan<byte> data, string source, bool applyOrientation)
    {
        int width = 0, height = 0, subsampling = -1, colorspace = -1;
        if (TurboJpegNative.tjDecompressHeader3(tj, p, new CULong((nuint)data.Length), &width, &height, &subsampling, &colorspace) != 0)
        {
            throw new ImageFormatException(source, $"cannot read the JPEG header: {TurboJpegNative.LastError(tj)}");
        }
        // A tables-only stream succeeds without setting the sizes.
        if (width < 1 || height < 1) throw new ImageFormatException(source, "the JPEG holds no image (tables only, or a zero size in its header)");
        var metadata = JpegMarkers.Read(data);
        int stored = colorspace switch
        {
            TurboJpegNative.ColorspaceGray => 1,
            TurboJpegNative.ColorspaceCmyk or TurboJpegNative.ColorspaceYcck => 4,
            _ => 3,
        };
        var orientation = metadata.Orientation;
        bool swap = applyOrientation && orientation.SwapsAxes();
        var info = new ImageInfo(ImageFileFormat.Jpeg, swap ? height : width, swap ? width : height, stored, 8, false, orientation);
        return new Header(info, width, height, colorspace, metadata);
    }

    /// <summary>
    /// Raises for a failed <c>tjDecompress2</c>, unless warnings are allowed, the failure was only a warning and the
    /// data still end with an EOI marker after the scan (so the file was not cut short).
    /// </summary>
    private static void CheckDecodeFailure(TurboJpegHandle tj, ReadOnlySpan<byte> data, int firstScan, string source, bool allowWarnings)
    {
        string message = TurboJpegNative.LastError(tj);
        bool warning = TurboJpegNative.tjGetErrorCode(tj) == TurboJpegNative.ErrorWarning;
        if (!warning) throw new ImageFormatException(source, $"cannot decode the JPEG: {message}");
        if (!JpegMarkers.HasEndAfter(data, firstScan))
        {
            throw new ImageFormatException(source, $"the JPEG is truncated (no end-of-image marker after its data; libjpeg: {message})");
        }
        if (!allowWarnings)
        {
            throw new ImageFormatException(source,
                $"the JPEG data are corrupt (libjpeg: {message}); pass AllowJpegWarnings = true to accept what libjpeg recovers");
        }
    }

    /// <summary>
    /// CMYK → RGB as PIL converts: R = (255 − C)(255 − K) / 255. Adobe files store the samples inverted
    /// (255 − C), so for them R = C'·K' / 255. Returns the RGB pixels, written over the front of the CMYK buffer.
    /// </summary>
    private static Span<byte> CmykToRgb(Span<byte> cmyk, bool inverted)
    {
        int n = cmyk.Length / 4;
        for (int i = 0; i < n; i++)
        {
            int c = cmyk[4 * i], m = cmyk[4 * i + 1], y = cmyk[4 * i + 2], k = cmyk[4 * i + 3];
            if (!inverted) { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k; }
            cmyk[3 * i] = (byte)((c * k + 127) / 255);
            cmyk[3 * i + 1] = (byte)((m * k + 127) / 255);
            cmyk[3 * i + 2] = (byte)((y * k + 127) / 255);
        }
        return cmyk[..(3 * n)];
    }
}
