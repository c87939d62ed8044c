using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.IO;

public class PngRoundTripTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void EightBitImagesRoundTripExactly(int channels)
    {
        using var image = Synthetic.Pattern(channels, 13, 17);
        byte[] png = ImageWriter.EncodePng(image);
        using var decoded = ImageReader.Decode(png, "roundtrip.png");
        Assert.Equal([channels, 13, 17], decoded.Pixels.Shape);
        Assert.Equal(DType.UInt8, decoded.Pixels.DType);
        Assert.Equal(image.ToArray<byte>(), decoded.Pixels.ToArray<byte>());
        Assert.Equal(new ImageInfo(ImageFileFormat.Png, 17, 13, channels, 8, false, ExifOrientation.Normal), decoded.Info);
    }

    [Fact]
    public void TwoDimensionalTensorIsWrittenAsGray()
    {
        using var image = Synthetic.Pattern(1, 5, 6);
        using var flat = image.Reshape(5, 6);
        using var decoded = ImageReader.Decode(ImageWriter.EncodePng(flat));
        Assert.Equal([1, 5, 6], decoded.Pixels.Shape);
        Assert.Equal(image.ToArray<byte>(), decoded.Pixels.ToArray<byte>());
    }

    [Fact]
    public void SixteenBitImagesRoundTripRawAndScaleDownByRounding()
    {
        int[] values = [0, 1, 128, 129, 257, 385, 386, 65535, 32767, 65406, 65407, 1000];
        using var image = Tensor.From(values, 1, 3, 4);
        byte[] png = ImageWriter.EncodePng(image);
        Assert.Equal(16, ImageReader.ReadInfo(png).BitDepth);

        using var raw = ImageReader.Decode(png, options: new ImageReadOptions(Samples: SampleValues.Raw));
        Assert.Equal(DType.Int32, raw.Pixels.DType);
        Assert.Equal(values, raw.Pixels.ToArray<int>());

        using var scaled = ImageReader.Decode(png);
        Assert.Equal(DType.UInt8, scaled.Pixels.DType);
        // round(v / 257): 128/257 = 0.498 → 0, 129/257 = 0.502 → 1, 385/257 = 1.498 → 1, 386 → 2, 65406/257 = 254.498 → 254, 65407 → 255.
        byte[] expected = [0, 0, 0, 1, 1, 1, 2, 255, 127, 254, 255, 4];
        Assert.Equal(expected, scaled.Pixels.ToArray<byte>());
    }

    [Fact]
    public void EightBitValuesWrittenAtSixteenBitsReadBackExactly()
    {
        using var image = Synthetic.Pattern(3, 4, 5);
        using var wide = Tensor.From(image.ToArray<byte>().Select(v => v * 257).ToArray(), 3, 4, 5);
        using var decoded = ImageReader.Decode(ImageWriter.EncodePng(wide));
        Assert.Equal(image.ToArray<byte>(), decoded.Pixels.ToArray<byte>());
    }

    [Fact]
    public void IndexedPngRoundTripsAsIndicesAndExposesThePalette()
    {
        byte[] indices = [0, 1, 2, 255, 15, 15, 1, 0, 2, 3, 4, 5];
        using var mask = Tensor.From(indices, 3, 4);
        byte[] png = ImageWriter.EncodeIndexedPng(mask);

        using var asIndices = ImageReader.Decode(png, "mask.png", new ImageReadOptions(Palette: PaletteMode.Indices));
        Assert.True(asIndices.Info.IsIndexed);
        Assert.Equal([1, 3, 4], asIndices.Pixels.Shape);
        Assert.Equal(indices, asIndices.Pixels.ToArray<byte>());
        Assert.NotNull(asIndices.Palette);
        Assert.Equal(256, asIndices.Palette!.Count);
        Assert.Equal(new Rgba32(128, 0, 0), asIndices.Palette[1]);
        Assert.Equal(new Rgba32(224, 224, 192), asIndices.Palette[255]);

        using var expanded = ImageReader.Decode(png, "mask.png");
        Assert.Equal([3, 3, 4], expanded.Pixels.Shape);
        var rgb = expanded.Pixels.ToArray<byte>();
        // Pixel (x=0, y=0) has index 0 (black); pixel (1, 0) has index 1 (128, 0, 0); pixel (3, 0) has 255 (224, 224, 192).
        Assert.Equal((byte)0, rgb[0]);
        Assert.Equal((byte)128, rgb[1]);
        Assert.Equal((byte)0, rgb[12 + 1]);
        Assert.Equal((byte)224, rgb[3]);
        Assert.Equal((byte)192, rgb[24 + 3]);
    }

    [Fact]
    public void IndexedPngWithTransparentEntriesExpandsToRgba()
    {
        var palette = new ImagePalette([new Rgba32(0, 0, 0, 0), new Rgba32(10, 20, 30), new Rgba32(200, 100, 50, 128)]);
        using var mask = Tensor.From(new byte[] { 0, 1, 2, 1 }, 2, 2);
        byte[] png = ImageWriter.EncodeIndexedPng(mask, palette);
        using var decoded = ImageReader.Decode(png);
        Assert.Equal([4, 2, 2], decoded.Pixels.Shape);
        Assert.Equal(new byte[] { 0, 10, 200, 10, 0, 20, 100, 20, 0, 30, 50, 30, 0, 255, 128, 255 }, decoded.Pixels.ToArray<byte>());
        Assert.Equal(palette.Colors, decoded.Palette!.Colors);

        using var rgb = ImageReader.Decode(png, options: ImageReadOptions.Rgb);
        Assert.Equal([3, 2, 2], rgb.Pixels.Shape);
    }

    [Fact]
    public void IndexedEncoderRejectsIndicesOutsideThePalette()
    {
        var palette = new ImagePalette([new Rgba32(0, 0, 0), new Rgba32(255, 255, 255)]);
        using var mask = Tensor.From(new long[] { 0, 1, 2, 1 }, 2, 2);
        var e = Assert.Throws<ArgumentException>(() => ImageWriter.EncodeIndexedPng(mask, palette));
        Assert.Contains("index 2", e.Message);
    }

    [Fact]
    public void ChannelRequestsConvertAsDocumented()
    {
        // One RGBA pixel (R=200, G=100, B=50, A=7) and one (0, 255, 0, 255).
        using var rgba = Tensor.From(new byte[] { 200, 0, 100, 255, 50, 0, 7, 255 }, 4, 1, 2);
        byte[] png = ImageWriter.EncodePng(rgba);

        using var gray = ImageReader.Decode(png, options: ImageReadOptions.Gray);
        // (19595·200 + 38470·100 + 7471·50 + 32768) >> 16 = 124 (0.299·200 + 0.587·100 + 0.114·50 = 124.2); (38470·255 + 32768) >> 16 = 150.
        Assert.Equal(new byte[] { 124, 150 }, gray.Pixels.ToArray<byte>());

        using var rgb = ImageReader.Decode(png, options: ImageReadOptions.Rgb);
        Assert.Equal(new byte[] { 200, 0, 100, 255, 50, 0 }, rgb.Pixels.ToArray<byte>());

        using var grayImage = Tensor.From(new byte[] { 9, 99 }, 1, 1, 2);
        using var asRgba = ImageReader.Decode(ImageWriter.EncodePng(grayImage), options: new ImageReadOptions(Channels: ImageChannels.Rgba));
        Assert.Equal(new byte[] { 9, 99, 9, 99, 9, 99, 255, 255 }, asRgba.Pixels.ToArray<byte>());
    }

    [Fact]
    public void EncoderRejectsWrongShapesAndTypes()
    {
        using var five = Tensor.Zeros([5, 2, 2], DType.UInt8);
        Assert.Throws<ArgumentException>(() => ImageWriter.EncodePng(five));
        using var floats = Tensor.Zeros([3, 2, 2]);
        Assert.Throws<ArgumentException>(() => ImageWriter.EncodePng(floats));
        using var big = Tensor.Full([1, 2, 2], 70000, DType.Int32);
        Assert.Throws<ArgumentException>(() => ImageWriter.EncodePng(big));
        using var rgba = Tensor.Zeros([4, 2, 2], DType.UInt8);
        Assert.Throws<ArgumentException>(() => ImageWriter.EncodeJpeg(rgba));
    }
}
