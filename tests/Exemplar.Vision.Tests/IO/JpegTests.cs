using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.IO;

public class JpegTests
{
    private static int MaxAbsDifference(Tensor a, Tensor b)
    {
        var x = a.ToArray<byte>();
        var y = b.ToArray<byte>();
        Assert.Equal(x.Length, y.Length);
        return x.Zip(y, (p, q) => Math.Abs(p - q)).Max();
    }

    [Theory]
    [InlineData(JpegSubsampling.Chroma444, 95, 3)]
    [InlineData(JpegSubsampling.Chroma420, 90, 6)]
    public void ColorRoundTripIsWithinTolerance(JpegSubsampling subsampling, int quality, int tolerance)
    {
        using var image = Synthetic.Smooth(3, 32, 48);
        byte[] jpeg = ImageWriter.EncodeJpeg(image, new JpegEncodeOptions(quality, subsampling));
        using var decoded = ImageReader.Decode(jpeg, "smooth.jpg");
        Assert.Equal([3, 32, 48], decoded.Pixels.Shape);
        Assert.Equal(new ImageInfo(ImageFileFormat.Jpeg, 48, 32, 3, 8, false, ExifOrientation.Normal), decoded.Info);
        Assert.InRange(MaxAbsDifference(image, decoded.Pixels), 0, tolerance);
    }

    [Fact]
    public void LowerQualityGivesSmallerFiles()
    {
        using var image = Synthetic.Pattern(3, 64, 64);
        Assert.True(ImageWriter.EncodeJpeg(image, new JpegEncodeOptions(30)).Length < ImageWriter.EncodeJpeg(image, new JpegEncodeOptions(95)).Length);
    }

    [Fact]
    public void GrayJpegIsOneChannelAndExpandsOnRequest()
    {
        using var image = Synthetic.Smooth(1, 16, 24);
        byte[] jpeg = ImageWriter.EncodeJpeg(image, new JpegEncodeOptions(100));
        using var gray = ImageReader.Decode(jpeg);
        Assert.Equal([1, 16, 24], gray.Pixels.Shape);
        Assert.InRange(MaxAbsDifference(image, gray.Pixels), 0, 1);
        using var rgb = ImageReader.Decode(jpeg, options: ImageReadOptions.Rgb);
        Assert.Equal([3, 16, 24], rgb.Pixels.Shape);
        using var channel2 = rgb.Pixels.Select(0, 2);
        using var channel0 = gray.Pixels.Select(0, 0);
        Assert.True(channel2.Equal(channel0));
    }

    [Fact]
    public void ColorJpegReadAsGrayIsTheLuma()
    {
        using var image = Synthetic.Smooth(3, 16, 16);
        byte[] jpeg = ImageWriter.EncodeJpeg(image, new JpegEncodeOptions(100, JpegSubsampling.Chroma444));
        using var gray = ImageReader.Decode(jpeg, options: ImageReadOptions.Gray);
        Assert.Equal([1, 16, 16], gray.Pixels.Shape);
        var rgb = image.ToArray<byte>();
        var y = gray.Pixels.ToArray<byte>();
        for (int i = 0; i < 256; i += 17)
        {
            double luma = 0.299 * rgb[i] + 0.587 * rgb[256 + i] + 0.114 * rgb[512 + i];
            Assert.InRange(y[i], luma - 2, luma + 2);
        }
        using var rgba = ImageReader.Decode(jpeg, options: new ImageReadOptions(Channels: ImageChannels.Rgba));
        using var alpha = rgba.Pixels.Select(0, 3);
        Assert.Equal(Enumerable.Repeat((byte)255, 256), alpha.ToArray<byte>());
    }

    [Theory]
    [InlineData(224, 4)]   // 1000 / 8 = 125 is too small, 1000 / 4 = 250 is not
    [InlineData(125, 8)]
    [InlineData(501, 1)]   // even half size would be too small
    [InlineData(500, 2)]
    public void JpegsCanBeDecodedAtAReducedScale(int side, int expectedScale)
    {
        using var image = Synthetic.Smooth(3, 600, 1000);
        byte[] jpeg = ImageWriter.EncodeJpeg(image);
        using var full = ImageReader.Decode(jpeg);
        using var reduced = ImageReader.Decode(jpeg, options: new ImageReadOptions(ScaleDownToSide: side)); // scaled by libjpeg-turbo while decoding
        Assert.Equal([3L, (600 + expectedScale - 1) / expectedScale, 1000 / expectedScale], reduced.Pixels.Shape);
        Assert.Equal(1000, reduced.Info.Width); // the file's size
        // The same picture: the mean colour is kept.
        float mean = full.Pixels.To(DType.Float32).Mean().Item<float>();
        Assert.InRange(reduced.Pixels.To(DType.Float32).Mean().Item<float>(), mean - 1, mean + 1);
    }

    [Fact]
    public void ReducedScaleDecodingAppliesTheOrientationAndTheLimitToTheReducedSize()
    {
        using var image = Synthetic.Smooth(3, 600, 1000);
        byte[] rotated = JpegExif.WithOrientation(ImageWriter.EncodeJpeg(image), 6); // shown 600 wide, 1000 high
        using var reduced = ImageReader.Decode(rotated, options: new ImageReadOptions(ScaleDownToSide: 224, MaxPixels: 250 * 150));
        Assert.Equal([3L, 250, 150], reduced.Pixels.Shape);
        Assert.Throws<ImageFormatException>(() => ImageReader.Decode(rotated, options: new ImageReadOptions(MaxPixels: 250 * 150)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageReader.Decode(rotated, options: new ImageReadOptions(ScaleDownToSide: 0)));
    }

    [Fact]
    public void WritesAndReadsFilesWithOverwriteProtection()
    {
        using var folder = new Synthetic.TempFolder();
        string path = folder.PathOf("a.jpg");
        using var image = Synthetic.Smooth(3, 8, 8);
        ImageWriter.WriteJpeg(path, image);
        long size = new FileInfo(path).Length;
        using var other = Synthetic.Pattern(3, 64, 64);
        var e = Assert.Throws<IOException>(() => ImageWriter.WriteJpeg(path, other));
        Assert.Contains("already exists", e.Message);
        Assert.Equal(size, new FileInfo(path).Length);
        ImageWriter.Write(path, other, overwrite: true);
        Assert.NotEqual(size, new FileInfo(path).Length);
        using var read = ImageReader.ReadTensor(path);
        Assert.Equal([3, 64, 64], read.Shape);

        // The extension picks the encoder; the reader ignores it and sniffs the bytes.
        string png = folder.PathOf("b.png");
        ImageWriter.Write(png, image);
        string misnamed = folder.PathOf("really-a-png.jpg");
        File.Copy(png, misnamed);
        Assert.Equal(ImageFileFormat.Png, ImageReader.ReadInfo(misnamed).Format);
        Assert.Throws<ArgumentException>(() => ImageWriter.Write(folder.PathOf("c.bmp"), image));
    }

    [Fact]
    public unsafe void AdobeCmykJpegIsConvertedToRgb()
    {
        // libjpeg writes CMYK input as an Adobe YCCK JPEG with inverted samples: stored C' = 255 − C.
        // C' = M' = Y' = 255 (no ink), K' = 128 gives R = G = B = 255·128/255 = 128; C' = 0 gives R = 0.
        byte[] cmyk = [255, 255, 255, 128, 0, 255, 255, 255];
        var tiled = new byte[8 * 8 * 4];
        for (int i = 0; i < 64; i++) Array.Copy(cmyk, i % 8 < 4 ? 0 : 4, tiled, 4 * i, 4);
        byte[] jpeg = EncodeCmyk(tiled, 8, 8);
        using var decoded = ImageReader.Decode(jpeg, "cmyk.jpg");
        Assert.Equal(4, decoded.Info.StoredChannels);
        Assert.Equal([3, 8, 8], decoded.Pixels.Shape);
        var rgb = decoded.Pixels.ToArray<byte>();
        Assert.InRange(rgb[0], 124, 132);          // R at (0, 0)
        Assert.InRange(rgb[64 + 1], 124, 132);     // G at (1, 0)
        Assert.InRange(rgb[6], 0, 6);              // R at (6, 0): C' = 0 → full cyan
        Assert.InRange(rgb[128 + 6], 249, 255);    // B at (6, 0)
    }

    private static unsafe byte[] EncodeCmyk(byte[] pixels, int width, int height)
    {
        using var tj = Vision.IO.Native.TurboJpegHandle.CreateCompressor();
        byte* jpeg = null;
        var size = new System.Runtime.InteropServices.CULong(0);
        fixed (byte* p = pixels)
        {
            Assert.Equal(0, Vision.IO.Native.TurboJpegNative.tjCompress2(tj, p, width, width * 4, height, Vision.IO.Native.TurboJpegNative.PixelFormatCmyk,
                &jpeg, &size, Vision.IO.Native.TurboJpegNative.Subsampling444, 100, 0));
        }
        try
        {
            return new ReadOnlySpan<byte>(jpeg, (int)size.Value).ToArray();
        }
        finally
        {
            Vision.IO.Native.TurboJpegNative.tjFree(jpeg);
        }
    }
}
