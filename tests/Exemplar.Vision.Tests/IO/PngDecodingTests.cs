using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.IO;

/// <summary>Decoding of PNGs built byte by byte, so expectations do not depend on our own encoder.</summary>
public class PngDecodingTests
{
    [Fact]
    public void SixteenBitSamplesAreBigEndianInTheFile()
    {
        // Gray 16-bit, 3x1: 0x0102, 0xFF00, 0x00FF.
        byte[] png = RawPng.Build(3, 1, 16, 0, [[0x01, 0x02, 0xFF, 0x00, 0x00, 0xFF]]);
        using var raw = ImageReader.Decode(png, options: new ImageReadOptions(Samples: SampleValues.Raw));
        Assert.Equal(new[] { 0x0102, 0xFF00, 0x00FF }, raw.Pixels.ToArray<int>());
        using var scaled = ImageReader.Decode(png);
        Assert.Equal(new byte[] { 1, 254, 1 }, scaled.Pixels.ToArray<byte>()); // round(258/257), round(65280/257) = 254.0, round(255/257)
    }

    [Fact]
    public void SixteenBitRgbaKeepsChannelOrder()
    {
        byte[] row = [0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0xFF, 0xFF];
        byte[] png = RawPng.Build(1, 1, 16, 6, [row]);
        using var raw = ImageReader.Decode(png, options: new ImageReadOptions(Samples: SampleValues.Raw));
        Assert.Equal([4, 1, 1], raw.Pixels.Shape);
        Assert.Equal(new[] { 1, 2, 3, 65535 }, raw.Pixels.ToArray<int>());
    }

    [Theory]
    [InlineData(1, new byte[] { 0b1010_0000 }, new byte[] { 1, 0, 1 }, 255)]
    [InlineData(2, new byte[] { 0b1110_0100 }, new byte[] { 3, 2, 1 }, 85)]
    [InlineData(4, new byte[] { 0xF3, 0x70 }, new byte[] { 15, 3, 7 }, 17)]
    public void SubByteGrayIsScaledOrRaw(int depth, byte[] row, byte[] values, int factor)
    {
        byte[] png = RawPng.Build(3, 1, depth, 0, [row]);
        Assert.Equal(depth, ImageReader.ReadInfo(png).BitDepth);
        using var raw = ImageReader.Decode(png, options: new ImageReadOptions(Samples: SampleValues.Raw));
        Assert.Equal(values, raw.Pixels.ToArray<byte>());
        using var scaled = ImageReader.Decode(png);
        Assert.Equal(values.Select(v => (byte)(v * factor)).ToArray(), scaled.Pixels.ToArray<byte>());
    }

    [Fact]
    public void TwoBitPaletteIndicesUnpackAcrossRows()
    {
        byte[] plte = [0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255];
        // 5 pixels per row: indices 0 1 2 3 1 / 3 3 0 0 2 (rows padded to 2 bytes).
        byte[] png = RawPng.Build(5, 2, 2, 3, [[0b00_01_10_11, 0b01_000000], [0b11_11_00_00, 0b10_000000]], plte);
        using var indices = ImageReader.Decode(png, options: new ImageReadOptions(Palette: PaletteMode.Indices));
        Assert.Equal(new byte[] { 0, 1, 2, 3, 1, 3, 3, 0, 0, 2 }, indices.Pixels.ToArray<byte>());
        Assert.Equal(4, indices.Palette!.Count);
        using var colors = ImageReader.Decode(png);
        var rgb = colors.Pixels.ToArray<byte>();
        Assert.Equal((byte)255, rgb[1]);        // R of pixel 1 (index 1 = red)
        Assert.Equal((byte)255, rgb[10 + 2]);   // G of pixel 2 (index 2 = green)
        Assert.Equal((byte)255, rgb[20 + 3]);   // B of pixel 3 (index 3 = blue)
    }

    [Fact]
    public void PaletteIndexBeyondThePaletteIsAnError()
    {
        byte[] png = RawPng.Build(2, 1, 8, 3, [[0, 5]], plte: [1, 2, 3, 4, 5, 6]);
        var e = Assert.Throws<ImageFormatException>(() => ImageReader.Decode(png, "bad-index.png"));
        Assert.Contains("bad-index.png", e.Message);
        Assert.Contains("palette index 5", e.Message);
        // Read as indices, the values are returned as stored.
        using var indices = ImageReader.Decode(png, options: new ImageReadOptions(Palette: PaletteMode.Indices));
        Assert.Equal(new byte[] { 0, 5 }, indices.Pixels.ToArray<byte>());
    }

    [Fact]
    public void GrayAndRgbTransparencyKeysBecomeAlphaWhenRgbaIsAsked()
    {
        byte[] grayTrns = [0x00, 0x07];
        byte[] gray = RawPng.Build(3, 1, 8, 0, [[7, 8, 7]], trns: grayTrns);
        using var keep = ImageReader.Decode(gray);
        Assert.Equal([1, 1, 3], keep.Pixels.Shape);
        using var rgba = ImageReader.Decode(gray, options: new ImageReadOptions(Channels: ImageChannels.Rgba));
        Assert.Equal(new byte[] { 7, 8, 7, 7, 8, 7, 7, 8, 7, 0, 255, 0 }, rgba.Pixels.ToArray<byte>());

        byte[] rgbTrns = [0, 1, 0, 2, 0, 3];
        byte[] rgb = RawPng.Build(2, 1, 8, 2, [[1, 2, 3, 1, 2, 4]], trns: rgbTrns);
        using var rgbAlpha = ImageReader.Decode(rgb, options: new ImageReadOptions(Channels: ImageChannels.Rgba));
        Assert.Equal(new byte[] { 1, 1, 2, 2, 3, 4, 0, 255 }, rgbAlpha.Pixels.ToArray<byte>());

        // 4-bit gray with key 3: alpha 0 there, 255 elsewhere, after scaling.
        byte[] low = RawPng.Build(2, 1, 4, 0, [[0x35]], trns: [0, 3]);
        using var lowAlpha = ImageReader.Decode(low, options: new ImageReadOptions(Channels: ImageChannels.Rgba));
        Assert.Equal(new byte[] { 51, 85, 51, 85, 51, 85, 0, 255 }, lowAlpha.Pixels.ToArray<byte>());
    }

    [Fact]
    public void InterlacedPngMatchesTheSamePixelsNonInterlaced()
    {
        const int width = 11, height = 9;
        var pixels = new byte[width * height * 3];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 37 % 251);
        byte[] interlaced = RawPng.BuildInterlaced(width, height, 2, 3, pixels);
        var rows = Enumerable.Range(0, height).Select(y => pixels.AsSpan(y * width * 3, width * 3).ToArray()).ToList();
        byte[] plain = RawPng.Build(width, height, 8, 2, rows);
        using var a = ImageReader.Decode(interlaced);
        using var b = ImageReader.Decode(plain);
        Assert.Equal(b.Pixels.ToArray<byte>(), a.Pixels.ToArray<byte>());
        // And the plain file's planes are the interleaved pixels transposed.
        var planes = b.Pixels.ToArray<byte>();
        Assert.Equal(pixels[(4 * width + 7) * 3 + 2], planes[(2 * height + 4) * width + 7]);
    }

    [Fact]
    public void GrayAlphaIsTwoChannels()
    {
        byte[] png = RawPng.Build(2, 1, 8, 4, [[10, 20, 30, 40]]);
        using var image = ImageReader.Decode(png);
        Assert.Equal([2, 1, 2], image.Pixels.Shape);
        Assert.Equal(new byte[] { 10, 30, 20, 40 }, image.Pixels.ToArray<byte>());
        using var rgb = ImageReader.Decode(png, options: ImageReadOptions.Rgb);
        Assert.Equal(new byte[] { 10, 30, 10, 30, 10, 30 }, rgb.Pixels.ToArray<byte>());
    }
}
