using System.Text.Json;
using Exemplar.Vision.Masks;
using Exemplar.Vision.Metrics;

namespace Exemplar.Vision.Tests.Metrics;

public class BoxAveragePrecisionTests
{
    private static readonly BoundingBox A = new(0, 0, 10, 10), B = new(50, 50, 20, 10), Far = new(200, 200, 10, 10);

    private static GroundTruthBox Gt(BoundingBox box, int category = 1, long image = 1, bool crowd = false) => new(image, category, box, crowd);

    private static DetectionBox Dt(BoundingBox box, double score, int category = 1, long image = 1) => new(image, category, box, score);

    private static double Ap(IEnumerable<GroundTruthBox> gt, IEnumerable<DetectionBox> dt) => BoxAveragePrecision.Evaluate(gt, dt).MeanAveragePrecision;

    [Fact]
    public void IoUIsOverTheUnionOrOverTheDetectionForCrowds()
    {
        var half = new BoundingBox(0, 0, 10, 5);
        Assert.Equal(0.5, BoxAveragePrecision.IoU(half, A));
        Assert.Equal(1.0, BoxAveragePrecision.IoU(half, A, crowd: true));
        Assert.Equal(25.0 / 175, BoxAveragePrecision.IoU(new BoundingBox(5, 5, 10, 10), A), 12);
        Assert.Equal(0, BoxAveragePrecision.IoU(A, Far));
        Assert.Equal(0, BoxAveragePrecision.IoU(A, new BoundingBox(10, 0, 5, 5))); // touching edges do not overlap
        Assert.Equal(new BoundingBox(3, 4, 5, 6), BoundingBox.FromPixels(new PixelBox(3, 4, 5, 6)));
    }

    [Fact]
    public void AMatchNeedsIoUOfAtLeastOneHalf()
    {
        // Precision is tp / (tp + fp + eps) as in pycocotools: a perfect score is 1 - 1e-16.
        Assert.Equal(1.0, Ap([Gt(A)], [Dt(new BoundingBox(0, 0, 10, 5), 0.3)]), 12); // IoU exactly 0.5
        Assert.Equal(0.0, Ap([Gt(A)], [Dt(new BoundingBox(0, 0, 10, 4.9), 0.3)]));
        Assert.Equal(0.0, Ap([Gt(A)], []));
    }

    [Fact]
    public void PrecisionIsInterpolatedAtOneHundredAndOneRecallPoints()
    {
        // Ranks: hit, miss, hit over 2 objects: recall .5 .5 1, precision 1 .5 .67 → made non-increasing 1 .67 .67.
        // Recall thresholds 0..0.50 (51 of them) read precision 1, 0.51..1 (50) read 2/3.
        double expected = (51 * 1.0 + 50 * (2.0 / 3)) / 101;
        Assert.Equal(expected, Ap([Gt(A), Gt(B)], [Dt(A, 0.9), Dt(Far, 0.8), Dt(B, 0.7)]), 12);
        // A duplicate of a found object is a false positive like any other.
        Assert.Equal(expected, Ap([Gt(A), Gt(B)], [Dt(A, 0.9), Dt(new BoundingBox(0, 0, 10, 9), 0.8), Dt(B, 0.7)]), 12);
        // The ranking is over all images of a category.
        Assert.Equal(expected, Ap([Gt(A, image: 1), Gt(B, image: 2)], [Dt(A, 0.9, image: 1), Dt(Far, 0.8, image: 2), Dt(B, 0.7, image: 2)]), 12);
        // Ordered the other way (miss first): precision 0 .5 .67 → .67 .67 .67.
        Assert.Equal(2.0 / 3, Ap([Gt(A), Gt(B)], [Dt(Far, 0.9), Dt(A, 0.8), Dt(B, 0.7)]), 12);
        // Only half the objects found: thresholds above 0.5 read 0.
        Assert.Equal(51.0 / 101, Ap([Gt(A), Gt(B)], [Dt(A, 0.9)]), 12);
    }

    [Fact]
    public void EachDetectionTakesTheBestUnmatchedObject()
    {
        var left = new BoundingBox(0, 0, 10, 10);
        var right = new BoundingBox(4, 0, 10, 10); // IoU with left 60/140
        var middle = new BoundingBox(2, 0, 10, 10); // IoU 80/120 with both
        var nearLeft = new BoundingBox(1, 0, 10, 10); // IoU 90/110 with left, 70/130 with right
        // The first detection takes left (higher IoU); the second still finds right.
        var r = BoxAveragePrecision.Evaluate([Gt(left), Gt(right)], [Dt(nearLeft, 0.9), Dt(middle, 0.8)]);
        Assert.Equal(1.0, r.MeanAveragePrecision, 12);
        Assert.Equal(2, r.PerCategory[0].TruePositives);
    }

    [Fact]
    public void DetectionsOnCrowdRegionsAreNeitherHitsNorMisses()
    {
        var crowd = new BoundingBox(100, 100, 50, 50);
        var onCrowd = new BoundingBox(110, 110, 10, 10); // inside the crowd: IoU over its own area is 1
        var r = BoxAveragePrecision.Evaluate([Gt(A), Gt(crowd, crowd: true)], [Dt(onCrowd, 0.95), Dt(onCrowd, 0.94), Dt(A, 0.9)]);
        Assert.Equal(1.0, r.MeanAveragePrecision, 12);
        Assert.Equal(1, r.PerCategory[0].GroundTruth);
        Assert.Equal(3, r.PerCategory[0].Detections);
        // Were it an object, the first detection would miss it and it would count as one to find.
        Assert.Equal(0.5 * 51 / 101, Ap([Gt(A), Gt(crowd)], [Dt(onCrowd, 0.95), Dt(A, 0.9)]), 12);
        // A detection that matches an object is not taken away by a crowd region it overlaps better.
        var big = new BoundingBox(0, 0, 100, 100);
        Assert.Equal(1.0, Ap([Gt(A), Gt(big, crowd: true)], [Dt(A, 0.9)]), 12);
        // A category whose only ground truth is a crowd region is not scored.
        Assert.Empty(BoxAveragePrecision.Evaluate([Gt(crowd, crowd: true)], [Dt(onCrowd, 0.9)]).PerCategory);
    }

    [Fact]
    public void CategoriesWithoutGroundTruthAreLeftOutOfTheMean()
    {
        var r = BoxAveragePrecision.Evaluate([Gt(A, category: 1), Gt(B, category: 3)], [Dt(A, 0.9, category: 1), Dt(B, 0.9, category: 2)]);
        Assert.Equal([1, 3], r.PerCategory.Select(c => c.CategoryId));
        Assert.Equal([1.0, 0.0], r.PerCategory.Select(c => Math.Round(c.AveragePrecision, 12)));
        Assert.Equal(0.5, r.MeanAveragePrecision, 12);
        Assert.Equal(0, BoxAveragePrecision.Evaluate([], [Dt(A, 0.9)]).MeanAveragePrecision);
    }

    [Fact]
    public void AtMostOneHundredDetectionsPerImageAndCategoryAreRanked()
    {
        var misses = Enumerable.Range(0, 100).Select(i => Dt(new BoundingBox(20 + i, 20, 5, 5), 0.9)).ToList();
        Assert.Equal(0.0, Ap([Gt(A)], [.. misses, Dt(A, 0.5)]));
        Assert.Equal(1.0 / 101, BoxAveragePrecision.Evaluate([Gt(A)], [.. misses, Dt(A, 0.5)], maxDetections: 101).MeanAveragePrecision, 12);
        // In another image the same detections do not crowd the hit out.
        Assert.Equal(1.0 / 101, Ap([Gt(A, image: 2)], [.. misses, Dt(A, 0.5, image: 2)]), 12);
    }

    [Fact]
    public void BadInputIsRefusedWithWhatIsWrong()
    {
        Assert.Throws<ArgumentException>(() => BoxAveragePrecision.Evaluate([Gt(A)], [], iouThreshold: 0));
        Assert.Throws<ArgumentException>(() => BoxAveragePrecision.Evaluate([Gt(A)], [], maxDetections: 0));
        var box = Assert.Throws<ArgumentException>(() => BoxAveragePrecision.Evaluate([Gt(A)], [Dt(new BoundingBox(0, 0, -1, 3), 0.5, image: 7)]));
        Assert.Contains("image 7", box.Message);
        Assert.Throws<ArgumentException>(() => BoxAveragePrecision.Evaluate([Gt(A)], [Dt(A, double.NaN)]));
    }

    /// <summary>
    /// Seeded random scenes (crowds, ties, over 100 detections in an image, categories with no ground truth or no
    /// detection) scored by Reference/box_ap50_reference.py, a numpy port of pycocotools' COCOeval.
    /// </summary>
    [Fact]
    public void MatchesTheNumpyPortOfPycocotools()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Metrics", "Reference", "box_ap50_reference.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var cases = doc.RootElement.GetProperty("cases").EnumerateArray().ToList();
        Assert.Equal(12, cases.Count);
        foreach (var c in cases)
        {
            static BoundingBox Box(JsonElement e) { var v = e.EnumerateArray().Select(x => x.GetDouble()).ToArray(); return new BoundingBox(v[0], v[1], v[2], v[3]); }
            var gt = c.GetProperty("ground_truth").EnumerateArray().Select(g => new GroundTruthBox(g.GetProperty("image_id").GetInt64(), g.GetProperty("category_id").GetInt32(),
                Box(g.GetProperty("bbox")), g.GetProperty("iscrowd").GetInt32() != 0)).ToList();
            var dt = c.GetProperty("detections").EnumerateArray().Select(d => new DetectionBox(d.GetProperty("image_id").GetInt64(), d.GetProperty("category_id").GetInt32(),
                Box(d.GetProperty("bbox")), d.GetProperty("score").GetDouble())).ToList();
            var result = BoxAveragePrecision.Evaluate(gt, dt);
            var expected = c.GetProperty("per_category").EnumerateObject().ToDictionary(p => int.Parse(p.Name), p => p.Value.GetDouble());
            Assert.Equal(expected.Keys.Order(), result.PerCategory.Select(p => p.CategoryId));
            foreach (var p in result.PerCategory) Assert.Equal(expected[p.CategoryId], p.AveragePrecision, 12);
            Assert.Equal(c.GetProperty("ap50").GetDouble(), result.MeanAveragePrecision, 12);
        }
    }
}
