using Exemplar.Torch;
using Exemplar.Vision.Masks;

namespace Exemplar.InContext.Tests;

/// <summary>Objects taken from segmentation results: per class, connected, scored, specks dropped.</summary>
public sealed class ObjectDetectionTests
{
    // 2 classes over 4 x 8 pixels. Class 0: a 2x3 block (probabilities 0.6..0.9) on the left, a 1-pixel speck at (7, 3).
    // Class 1: a 2x2 block at columns 5-6, rows 0-1 (0.8 each), and a diagonal pair (touching at a corner: one object).
    private static SegmentationResult Scene()
    {
        var scores = new float[2 * 4 * 8];
        void Set(int c, int x, int y, float p) => scores[c * 32 + y * 8 + x] = p;
        float[] block = [0.6f, 0.7f, 0.8f, 0.9f, 0.9f, 0.9f];
        for (int i = 0; i < 6; i++) Set(0, i % 3, i / 3, block[i]);
        Set(0, 7, 3, 0.99f);
        foreach (var (x, y) in new[] { (5, 0), (6, 0), (5, 1), (6, 1) }) Set(1, x, y, 0.8f);
        Set(1, 3, 2, 0.6f);
        Set(1, 4, 3, 0.7f);
        using var probabilities = Tensor.From(scores, 2, 4, 8);
        return SegmentationResult.FromScores(probabilities, 0.5);
    }

    [Fact]
    public void ObjectsAreConnectedRegionsOfEachClassScoredByTheirMeanProbability()
    {
        using var result = Scene();
        var objects = ObjectDetection.Find(result, new ObjectDetectionOptions { MinArea = 1 });
        Assert.Equal(4, objects.Count);
        Assert.Equal((0, new PixelBox(0, 0, 3, 2), 6L), (objects[0].ClassIndex, objects[0].Box, objects[0].Area));
        Assert.Equal(4.8 / 6, objects[0].Score, 5);
        Assert.Equal((1, new PixelBox(5, 0, 2, 2), 4L), (objects[1].ClassIndex, objects[1].Box, objects[1].Area));
        Assert.Equal(0.8, objects[1].Score, 5);
        Assert.Equal((1, new PixelBox(3, 2, 2, 2), 2L), (objects[2].ClassIndex, objects[2].Box, objects[2].Area));
        Assert.Equal(0.65, objects[2].Score, 5);
        Assert.Equal((0, new PixelBox(7, 3, 1, 1), 1L), (objects[3].ClassIndex, objects[3].Box, objects[3].Area));
        // The same regions as Describe reports, class by class.
        var described = result.Describe(["a", "b"]);
        Assert.Equal(described[0].Objects.Select(o => o.Box), objects.Where(o => o.ClassIndex == 0).Select(o => o.Box));
        Assert.Equal(described[1].Objects.Select(o => o.Box), objects.Where(o => o.ClassIndex == 1).Select(o => o.Box));
    }

    [Fact]
    public void SmallRegionsAreDroppedAndPeaksCanScore()
    {
        using var result = Scene();
        var objects = ObjectDetection.Find(result, new ObjectDetectionOptions { MinArea = 3, Score = ObjectScore.Max });
        Assert.Equal([6L, 4L], objects.Select(o => o.Area));
        Assert.Equal(0.9, objects[0].Score, 5);
        Assert.Empty(ObjectDetection.Find(result)); // the default drops regions under 16 pixels
        Assert.Throws<ArgumentException>(() => ObjectDetection.Find(result, new ObjectDetectionOptions { MinArea = 0 }));
    }
}
