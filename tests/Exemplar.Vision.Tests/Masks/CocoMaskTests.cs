using System.Text.Json;
using Exemplar.Torch;
using Exemplar.Vision.Masks.Coco;
using Xunit.Abstractions;

namespace Exemplar.Vision.Tests.Masks;

public class CocoMaskTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(2, 1, 6, 4, 20, 10)]
    [InlineData(0, 0, 10, 7, 7, 10)]
    [InlineData(3, 2, 4, 3, 8, 8)]
    public void IntegerRectangleCoversExactlyItsPixels(int x0, int y0, int x1, int y1, int height, int width)
    {
        double[] polygon = [x0, y0, x1, y0, x1, y1, x0, y1];
        var rle = CocoPolygon.ToRle(polygon, height, width);
        Assert.Equal((x1 - x0) * (y1 - y0), rle.Area);
        using var mask = rle.Decode();
        var pixels = mask.ToArray<byte>();
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                Assert.Equal(x >= x0 && x < x1 && y >= y0 && y < y1 ? 1 : 0, pixels[y * width + x]);
    }

    [Fact]
    public void VertexOrderAndDirectionDoNotMatter()
    {
        double[] clockwise = [1.2, 1.7, 8.9, 2.1, 7.4, 9.3, 2.2, 8.8];
        double[] counter = [2.2, 8.8, 7.4, 9.3, 8.9, 2.1, 1.2, 1.7];
        var a = CocoPolygon.ToRle(clockwise, 12, 12);
        var b = CocoPolygon.ToRle(counter, 12, 12);
        Assert.Equal(a.Counts, b.Counts);
        // A convex quadrilateral of shoelace area 50.04: the rasterised area is within a pixel row of it.
        Assert.InRange(a.Area, 44, 56);
    }

    [Fact]
    public void PolygonsOutsideTheImageAreClipped()
    {
        double[] polygon = [-5, -5, 3, -5, 3, 2, -5, 2];
        var rle = CocoPolygon.ToRle(polygon, 6, 6);
        Assert.Equal(3 * 2, rle.Area); // columns 0..2, rows 0..1
        Assert.Equal(0, CocoPolygon.ToRle([20, 20, 30, 20, 30, 30], 6, 6).Area);
    }

    [Fact]
    public void RepeatedVerticesAreHarmless()
    {
        double[] polygon = [2, 1, 2, 1, 6, 1, 6, 4, 6, 4, 2, 4];
        Assert.Equal(12, CocoPolygon.ToRle(polygon, 8, 8).Area);
    }

    [Fact]
    public void EncodeUsesColumnMajorOrder()
    {
        using var mask = Tensor.From(new byte[] { 0, 1, 1, 1, 1, 0 }, 2, 3);
        var rle = CocoRle.Encode(mask);
        // Columns top to bottom: (0, 1), (1, 1), (1, 0).
        Assert.Equal([1L, 4, 1], rle.Counts);
        Assert.Equal(4, rle.Area);
        using var back = rle.Decode();
        Assert.True(back.Equal(mask));
    }

    [Theory]
    [InlineData(new long[] { 0, 5 }, "05")]
    [InlineData(new long[] { 3, 40, 2 }, "3X12")]
    [InlineData(new long[] { 1, 2, 3, 10 }, "1238")]    // the fourth count is written as 10 − 2
    [InlineData(new long[] { 1, 5, 1, 2 }, "151M")]     // 2 − 5 = −3: one group, sign bit set
    public void CompressedStringsMatchPycocotools(long[] counts, string text)
    {
        long total = counts.Sum();
        var rle = new CocoRle(1, (int)total, counts);
        Assert.Equal(text, rle.ToCompressedString());
        Assert.Equal(counts, CocoRle.FromCompressedString(text, 1, (int)total).Counts);
    }

    [Fact]
    public void CompressedStringsRoundTripRandomMasks()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 20; trial++)
        {
            int h = random.Next(1, 40), w = random.Next(1, 40);
            var bytes = new byte[h * w];
            int run = 0;
            byte value = 0;
            for (int i = 0; i < bytes.Length; i++)
            {
                if (run-- <= 0) { value ^= 1; run = random.Next(0, trial * 20 + 2); }
                bytes[i] = value;
            }
            using var mask = Tensor.From(bytes, h, w);
            var rle = CocoRle.Encode(mask);
            var back = CocoRle.FromCompressedString(rle.ToCompressedString(), h, w);
            Assert.Equal(rle.Counts, back.Counts);
            Assert.Equal(bytes.Count(b => b == 1), back.Area);
        }
    }

    [Theory]
    [InlineData("05!", "invalid character")]
    [InlineData("0X", "middle of a number")]
    [InlineData("06", "add up to 6")]
    public void BadCompressedStringsRaise(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => CocoRle.FromCompressedString(text, 1, 5));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void JsonSegmentationsOfAllThreeForms()
    {
        using var doc = JsonDocument.Parse("""
            {
              "polygons": [[0, 0, 4, 0, 4, 4, 0, 4], [2, 2, 6, 2, 6, 6, 2, 6]],
              "uncompressed": {"counts": [2, 3, 10, 1], "size": [4, 4]},
              "compressed": {"counts": "23:N", "size": [4, 4]},
              "wrongSize": {"counts": [16], "size": [2, 8]}
            }
            """);
        var root = doc.RootElement;
        // Two 4x4 squares overlapping in 2x2: 16 + 16 − 4.
        Assert.Equal(28, CocoSegmentation.ToRle(root.GetProperty("polygons"), 8, 8).Area);
        using var crowd = CocoSegmentation.ToMask(root.GetProperty("uncompressed"), 4, 4);
        // Column-major: pixels 2..4 set (column 0 rows 2, 3; column 1 row 0), then pixel 15 (column 3, row 3).
        Assert.Equal(new byte[] { 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1 }, crowd.ToArray<byte>());
        // "23:N": counts 2, 3, 10 (':' = 48 + 10), then 1 written as 1 − 3 = −2 ('N' = 48 + 30: −2 in 5 bits, sign bit set).
        var compressed = CocoSegmentation.ToRle(root.GetProperty("compressed"), 4, 4);
        Assert.Equal([2L, 3, 10, 1], compressed.Counts);
        var e = Assert.Throws<FormatException>(() => CocoSegmentation.ToRle(root.GetProperty("wrongSize"), 4, 4));
        Assert.Contains("2x8", e.Message);
    }

    private static double[] Extent(byte[] mask, int height, int width)
    {
        int x0 = width, y0 = height, x1 = -1, y1 = -1;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                if (mask[y * width + x] != 0) (x0, y0, x1, y1) = (Math.Min(x0, x), Math.Min(y0, y), Math.Max(x1, x), Math.Max(y1, y));
        return [x0, y0, x1 - x0, y1 - y0];
    }

    private const string CocoVal = "data/coco-mini/annotations/instances_val2017.json";

    [SharedFact(CocoVal)]
    public void RasterisedAreasMatchTheAnnotationAreas()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedFolder.PathOf(CocoVal)));
        var sizes = doc.RootElement.GetProperty("images").EnumerateArray()
            .ToDictionary(i => i.GetProperty("id").GetInt64(), i => (H: i.GetProperty("height").GetInt32(), W: i.GetProperty("width").GetInt32()));
        int polygons = 0, crowds = 0;
        var errors = new List<double>();
        foreach (var annotation in doc.RootElement.GetProperty("annotations").EnumerateArray())
        {
            var (h, w) = sizes[annotation.GetProperty("image_id").GetInt64()];
            double area = annotation.GetProperty("area").GetDouble();
            var rle = CocoSegmentation.ToRle(annotation.GetProperty("segmentation"), h, w);
            if (annotation.GetProperty("iscrowd").GetInt32() == 1)
            {
                // Crowd "area" fields are not the RLE pixel counts in COCO, but the boxes are the mask extents
                // ([x, y, max x − x, max y − y]): a check of the column-major decoding.
                var box = annotation.GetProperty("bbox").EnumerateArray().Select(b => b.GetDouble()).ToArray();
                using var mask = rle.Decode();
                Assert.Equal(box, Extent(mask.ToArray<byte>(), h, w));
                crowds++;
                continue;
            }
            if (area < 1000) continue; // small objects: a boundary pixel is a large fraction
            double relative = Math.Abs(rle.Area - area) / area;
            errors.Add(relative);
            Assert.True(relative < 0.02, $"annotation {annotation.GetProperty("id")}: mask area {rle.Area} vs {area}");
            polygons++;
        }
        output.WriteLine($"{polygons} polygon annotations of area >= 1000: mean relative error {errors.Average():P3}, max {errors.Max():P3}; {crowds} crowd RLEs");
        Assert.True(polygons > 200, $"only {polygons} polygon annotations checked");
        Assert.True(crowds > 0);
        Assert.True(errors.Average() < 0.005, $"mean relative area error {errors.Average():P2}");
    }
}
