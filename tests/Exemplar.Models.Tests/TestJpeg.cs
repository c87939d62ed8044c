using System.Runtime.InteropServices;
using Exemplar.Torch;
using Exemplar.Vision.Transforms;
using Microsoft.Win32.SafeHandles;

namespace Exemplar.Models.Tests;

/// <summary>
/// Test-only JPEG decoding through libturbojpeg, until Exemplar.Vision's decoder lands (then this file goes).
/// </summary>
internal static class TestJpeg
{
    private const int PixelFormatRgb = 0; // TJPF_RGB

    /// <summary>Decodes a JPEG file → [3, H, W] uint8 RGB.</summary>
    public static unsafe Tensor DecodeRgb(string path)
    {
        byte[] jpeg = File.ReadAllBytes(path);
        using var handle = TurboJpeg.tjInitDecompress();
        if (handle.IsInvalid) throw new InvalidOperationException("tjInitDecompress failed");
        fixed (byte* src = jpeg)
        {
            if (TurboJpeg.tjDecompressHeader3(handle, src, (nuint)jpeg.Length, out int width, out int height, out _, out _) != 0)
            {
                throw new InvalidDataException($"{path}: {ErrorOf(handle)}");
            }
            var rgb = new byte[checked(width * height * 3)];
            fixed (byte* dst = rgb)
            {
                if (TurboJpeg.tjDecompress2(handle, src, (nuint)jpeg.Length, dst, width, width * 3, height, PixelFormatRgb, 0) != 0)
                {
                    throw new InvalidDataException($"{path}: {ErrorOf(handle)}");
                }
            }
            using var hwc = Tensor.From(rgb, height, width, 3);
            using var chw = hwc.Permute(2, 0, 1);
            return chw.Contiguous();
        }
    }

    /// <summary>
    /// torchvision's ImageNet evaluation transform on a JPEG: shorter side to <paramref name="resize"/> (bilinear,
    /// antialiased), centre crop <paramref name="crop"/>, scale to [0, 1], normalise with ImageNet mean/std →
    /// [1, 3, crop, crop] float.
    /// </summary>
    public static Tensor ImageNetInput(string path, int resize = 256, int crop = 224)
    {
        using var scope = DisposeScope.Begin();
        var image = DecodeRgb(path).To(DType.Float32).Unsqueeze(0);
        long h = image.Size(2), w = image.Size(3);
        // torchvision.transforms.Resize(int): the shorter side becomes `resize`, the longer int(resize · long / short).
        (int nh, int nw) = h <= w ? (resize, (int)(resize * w / h)) : ((int)(resize * h / w), resize);
        var resized = Functional.Interpolate(image, nh, nw, InterpolationMode.Bilinear, antialias: true);
        int top = (int)Math.Round((nh - crop) / 2.0, MidpointRounding.ToEven), left = (int)Math.Round((nw - crop) / 2.0, MidpointRounding.ToEven);
        var cropped = resized[.., .., top..(top + crop), left..(left + crop)] / 255.0;
        var mean = Tensor.From(NormalizeOptions.ImageNetMean.Select(v => (float)v).ToArray(), 1, 3, 1, 1);
        var std = Tensor.From(NormalizeOptions.ImageNetStd.Select(v => (float)v).ToArray(), 1, 3, 1, 1);
        return ((cropped - mean) / std).Contiguous().MoveToOuterScope();
    }

    private static string ErrorOf(TurboJpegHandle handle) => Marshal.PtrToStringUTF8(TurboJpeg.tjGetErrorStr2(handle)) ?? "libturbojpeg error";
}

/// <summary>An owned libturbojpeg decompressor.</summary>
internal sealed class TurboJpegHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public TurboJpegHandle() : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle() => TurboJpeg.tjDestroy(handle) == 0;
}

internal static unsafe partial class TurboJpeg
{
    private const string Library = "libturbojpeg.so.0";

    [LibraryImport(Library)]
    internal static partial TurboJpegHandle tjInitDecompress();

    [LibraryImport(Library)]
    internal static partial int tjDecompressHeader3(TurboJpegHandle handle, byte* jpegBuf, nuint jpegSize, out int width, out int height, out int jpegSubsamp, out int jpegColorspace);

    [LibraryImport(Library)]
    internal static partial int tjDecompress2(TurboJpegHandle handle, byte* jpegBuf, nuint jpegSize, byte* dstBuf, int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(Library)]
    internal static partial int tjDestroy(IntPtr handle);

    [LibraryImport(Library)]
    internal static partial IntPtr tjGetErrorStr2(TurboJpegHandle handle);
}
