using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Masks;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.Masks;

public class MaskDecoderTests
{
    private static byte[] GrayPng(params byte[] values)
    {
        using var t = Tensor.From(values, 1, 1, values.Length);
        return ImageWriter.EncodePng(t);
    }

    [Fact]
    public void BinaryGrayThresholdsAt128()
    {
        byte[] png = GrayPng(0, 127, 128, 255, 200, 3);
        using var labels = MaskDecoder.Decode(png, "m.png", MaskEncodings.Binary);
        Assert.Equal([1, 6], labels.Labels.Shape);
        Assert.Equal(DType.Int64, labels.Labels.DType);
        Assert.Equal([0L, 0, 1, 1, 1, 0], labels.Labels.ToArray<long>());
        Assert.All(labels.Ignore.ToArray<bool>(), Assert.False);

        using var folder = new Synthetic.TempFolder();
        File.WriteAllBytes(folder.PathOf("m.png"), png);
        using var binary = MaskDecoder.ReadBinary(folder.PathOf("m.png"));
        Assert.Equal(DType.UInt8, binary.DType);
        Assert.Equal(new byte[] { 0, 0, 1, 1, 1, 0 }, binary.ToArray<byte>());
        using var strict = MaskDecoder.ReadBinary(folder.PathOf("m.png"), threshold: 201);
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0, 0 }, strict.ToArray<byte>());
    }

    [Fact]
    public void AnyBinaryAcceptsZeroOneZero255AndAnyColourOnBlack()
    {
        using var zeroOne = MaskDecoder.Decode(GrayPng(0, 1, 1, 0), "01.png", MaskEncodings.AnyBinary);
        Assert.Equal([0L, 1, 1, 0], zeroOne.Labels.ToArray<long>());
        using var full = MaskDecoder.Decode(GrayPng(0, 255, 90, 200), "0255.png", MaskEncodings.AnyBinary);
        Assert.Equal([0L, 1, 0, 1], full.Labels.ToArray<long>()); // half of the brightest, rounded up: 128
        using var rgb = Tensor.From(new byte[] { 0, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128 }, 3, 1, 4); // black, red, black, dark blue
        using var colours = MaskDecoder.Decode(ImageWriter.EncodePng(rgb), "red.png", MaskEncodings.AnyBinary);
        Assert.Equal([0L, 1, 0, 1], colours.Labels.ToArray<long>());
        using var black = MaskDecoder.Decode(GrayPng(0, 0), "black.png", MaskEncodings.AnyBinary);
        Assert.Equal([0L, 0], black.Labels.ToArray<long>());
        // The fixed threshold still reads 0/1 masks as empty, as FSS-1000's loader does.
        using var fixedLevel = MaskDecoder.Decode(GrayPng(0, 1), "01.png", MaskEncodings.Binary);
        Assert.Equal([0L, 0], fixedLevel.Labels.ToArray<long>());
    }

    [Fact]
    public void BinaryColourUsesLumaAndPaletteUsesNonZeroIndices()
    {
        // White, pure red (luma 76), gray 130.
        using var rgb = Tensor.From(new byte[] { 255, 255, 130, 255, 0, 130, 255, 0, 130 }, 3, 1, 3);
        using var fromRgb = MaskDecoder.Decode(ImageWriter.EncodePng(rgb), "rgb.png", MaskEncodings.Binary);
        Assert.Equal([1L, 0, 1], fromRgb.Labels.ToArray<long>());

        // VOC palette index 1 is (128, 0, 0), luma 38: still foreground, because palette masks go by index.
        using var indices = Tensor.From(new byte[] { 0, 1, 2, 0 }, 2, 2);
        using var fromPalette = MaskDecoder.Decode(ImageWriter.EncodeIndexedPng(indices), "p.png", MaskEncodings.Binary);
        Assert.Equal([0L, 1, 1, 0], fromPalette.Labels.ToArray<long>());
    }

    [Fact]
    public void BinaryJpegMaskIsThresholded()
    {
        var data = new byte[16 * 16];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)(i % 16 < 8 ? 0 : 255);
        using var mask = Tensor.From(data, 1, 16, 16);
        using var labels = MaskDecoder.Decode(ImageWriter.EncodeJpeg(mask, new JpegEncodeOptions(75)), "m.jpg", MaskEncodings.Binary);
        Assert.Equal(data.Select(v => v == 255 ? 1L : 0L), labels.Labels.ToArray<long>());
    }

    [Fact]
    public void ClassIdsWithAnIgnoreValueMapToTheIgnoreLabel()
    {
        byte[] png = GrayPng(0, 3, 11, 10, 11, 3);
        using var camvid = MaskDecoder.Decode(png, "camvid.png", MaskEncodings.CamVid);
        Assert.Equal([0L, 3, 255, 10, 255, 3], camvid.Labels.ToArray<long>());
        Assert.Equal([false, false, true, false, true, false], camvid.Ignore.ToArray<bool>());
        Assert.Equal([0L, 3, 10], camvid.ClassesPresent());
        using var three = camvid.BinaryMask(3);
        Assert.Equal(new byte[] { 0, 1, 0, 0, 0, 1 }, three.ToArray<byte>());

        using var custom = MaskDecoder.Decode(png, "camvid.png", MaskEncodings.CamVid, new MaskReadOptions(IgnoreLabel: -1));
        Assert.Equal([0L, 3, -1, 10, -1, 3], custom.Labels.ToArray<long>());

        using var ccp = MaskDecoder.Decode(png, "ccp.png", MaskEncodings.Ccp);
        Assert.Equal([0L, 3, 11, 10, 11, 3], ccp.Labels.ToArray<long>());
    }

    [Fact]
    public void VocPaletteIndicesWith255Ignored()
    {
        using var indices = Tensor.From(new byte[] { 0, 15, 255, 1 }, 2, 2);
        using var voc = MaskDecoder.Decode(ImageWriter.EncodeIndexedPng(indices), "voc.png", MaskEncodings.Voc);
        Assert.Equal([0L, 15, 255, 1], voc.Labels.ToArray<long>());
        Assert.Equal([false, false, true, false], voc.Ignore.ToArray<bool>());
    }

    [Fact]
    public void SixteenBitClassIdsAreReadRaw()
    {
        using var ids = Tensor.From(new[] { 0, 300, 65535, 255 }, 1, 2, 2);
        using var map = MaskDecoder.Decode(ImageWriter.EncodePng(ids), "ids16.png", new ClassIdMaskEncoding(), new MaskReadOptions(IgnoreLabel: -1));
        Assert.Equal([0L, 300, 65535, 255], map.Labels.ToArray<long>());
        Assert.All(map.Ignore.ToArray<bool>(), Assert.False);
    }

    [Fact]
    public void ClassIdsRefuseColourAndJpegFiles()
    {
        using var rgb = Tensor.Zeros([3, 2, 2], DType.UInt8);
        var e = Assert.Throws<ImageFormatException>(() => MaskDecoder.Decode(ImageWriter.EncodePng(rgb), "colour.png", MaskEncodings.CamVid));
        Assert.Contains("colour.png", e.Message);
        Assert.Contains("ColorMapMaskEncoding", e.Message);
        using var gray = Tensor.Zeros([1, 8, 8], DType.UInt8);
        e = Assert.Throws<ImageFormatException>(() => MaskDecoder.Decode(ImageWriter.EncodeJpeg(gray), "ids.jpg", MaskEncodings.CamVid));
        Assert.Contains("lossless", e.Message);
    }

    private static readonly ColorTable Table = new([(new Rgba32(0, 0, 0), 0), (new Rgba32(255, 0, 0), 1), (new Rgba32(0, 0, 255), 2)]);

    private static byte[] ColourPng()
    {
        // Pixels: black, red, blue, (250, 10, 10) — the last is not in the table.
        using var rgb = Tensor.From(new byte[] { 0, 255, 0, 250, 0, 0, 0, 10, 0, 0, 255, 10 }, 3, 1, 4);
        return ImageWriter.EncodePng(rgb);
    }

    [Fact]
    public void ColourMapsWithEachUnknownColourPolicy()
    {
        var e = Assert.Throws<ImageFormatException>(() => MaskDecoder.Decode(ColourPng(), "target.png", new ColorMapMaskEncoding(Table)));
        Assert.Contains("target.png", e.Message);
        Assert.Contains("(250, 10, 10) at pixel (3, 0)", e.Message);

        using var ignored = MaskDecoder.Decode(ColourPng(), "target.png", new ColorMapMaskEncoding(Table, UnknownColorPolicy.Ignore));
        Assert.Equal([0L, 1, 2, 255], ignored.Labels.ToArray<long>());
        Assert.Equal([false, false, false, true], ignored.Ignore.ToArray<bool>());

        using var nearest = MaskDecoder.Decode(ColourPng(), "target.png", new ColorMapMaskEncoding(Table, UnknownColorPolicy.Nearest));
        Assert.Equal([0L, 1, 2, 1], nearest.Labels.ToArray<long>());
    }

    [Fact]
    public void ColourTableRejectsDuplicatesAndBuildsFromPalettes()
    {
        Assert.Throws<ArgumentException>(() => new ColorTable([(new Rgba32(1, 2, 3), 0), (new Rgba32(1, 2, 3), 1)]));
        var voc = ColorTable.FromPalette(ImagePalette.Voc, 21);
        Assert.Equal(21, voc.Entries.Count);
        Assert.Equal(15L, voc.Find(192, 128, 128));
        Assert.Null(voc.Find(1, 2, 3));
    }
}
