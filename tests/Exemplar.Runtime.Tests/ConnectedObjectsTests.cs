namespace Exemplar.Runtime.Tests;

/// <summary>Objects found in a label map: boxes, areas, scores, COCO RLE and outline polygons.</summary>
public sealed class ConnectedObjectsTests
{
    private static SegmentResult Result(byte[] labels, int width, int height, string[] classes, float score = 0.8f)
    {
        var scores = Enumerable.Repeat(score, classes.Length * width * height).ToArray();
        var image = new DecodedImage(new byte[width * height * 4], width, height);
        return new SegmentResult("synthetic", image, classes, scores, labels, minObjectArea: 1);
    }

    [Fact]
    public void AnLShapeHasItsBoxAreaRunsAndOutline()
    {
        // 1 0 0
        // 1 1 0
        // 0 0 0
        var result = Result([1, 0, 0, 1, 1, 0, 0, 0, 0], 3, 3, ["a"]);
        var o = Assert.Single(result.Objects);
        Assert.Equal(("a", 3, new Box(0, 0, 2, 2)), (o.Class, o.Area, o.Box));
        Assert.Equal(0.8f, o.Score, 5);
        Assert.Equal([0, 2, 2, 1, 4], o.Rle);                        // column-major: 1 1 0 | 0 1 0 | 0 0 0
        Assert.Equal([0.0, 0, 1, 0, 1, 1, 2, 1, 2, 2, 0, 2], o.Polygon);
        Assert.Equal(3, ShoelaceArea(o.Polygon));
        Assert.Equal(0.8f, result.Confidence(0), 5);
    }

    [Fact]
    public void ClassesAndCornerTouchingPixelsAreSeparatedOrJoinedAsEightConnectivitySays()
    {
        // 1 0 2
        // 0 1 2
        var result = Result([1, 0, 2, 0, 1, 2], 3, 2, ["a", "b"]);
        Assert.Equal(2, result.Objects.Count);
        var a = result.Objects.Single(o => o.Class == "a");
        Assert.Equal((2, new Box(0, 0, 2, 2)), (a.Area, a.Box));      // diagonal neighbours are one object
        Assert.Equal(2, ShoelaceArea(a.Polygon));
        var b = result.Objects.Single(o => o.Class == "b");
        Assert.Equal([2.0, 0, 3, 0, 3, 2, 2, 2], b.Polygon);
        var coco = result.ToCoco(imageId: 7);
        Assert.Equal([1, 2], coco.Select(c => c.Id));
        Assert.All(coco, c => Assert.Equal(7, c.ImageId));
        Assert.Equal([2, 2], coco.Select(c => c.Area));
        Assert.Contains("\"category_id\":2", System.Text.Json.JsonSerializer.Serialize(coco));
    }

    [Fact]
    public void ObjectsOfRealSegmentationsHaveOutlinesEnclosingThem()
    {
        using var model = ExemplarModel.Load();
        using var prompt = model.Encode([new Example(Samples.PathOf("duck_toy_00.jpg"), Samples.PathOf("duck_toy_00.png"))]);
        var result = model.Segment(prompt, Samples.PathOf("duck_toy_01.jpg"));
        var duck = result.Objects[0];
        double area = ShoelaceArea(duck.Polygon);
        Assert.InRange(area, duck.Area, (double)duck.Box.Width * duck.Box.Height);    // holes are inside the outline
        Assert.All(Enumerable.Range(0, duck.Polygon.Count / 2), i =>
        {
            Assert.InRange(duck.Polygon[2 * i], duck.Box.X, duck.Box.X + duck.Box.Width);
            Assert.InRange(duck.Polygon[2 * i + 1], duck.Box.Y, duck.Box.Y + duck.Box.Height);
        });
    }

    private static double ShoelaceArea(IReadOnlyList<double> xy)
    {
        double sum = 0;
        int n = xy.Count / 2;
        for (int i = 0; i < n; i++)
        {
            int j = (i + 1) % n;
            sum += xy[2 * i] * xy[2 * j + 1] - xy[2 * j] * xy[2 * i + 1];
        }
        return Math.Abs(sum) / 2;
    }
}
