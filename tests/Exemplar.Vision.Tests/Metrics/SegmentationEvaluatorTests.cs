using Exemplar.Torch;
using Exemplar.Vision.Metrics;

namespace Exemplar.Vision.Tests.Metrics;

public class SegmentationEvaluatorTests
{
    // Target (255 = ignore) and prediction, 4 x 4, classes 0..3 (class 3 occurs in neither).
    private static Tensor Target() => Masks.Parse(
        "0 0 1 1",
        "0 0 1 1",
        "2 2 2 255",
        "2 2 2 255");

    private static Tensor Prediction() => Masks.Parse(
        "0 1 1 1",
        "0 0 1 0",
        "2 2 1 0",
        "2 2 2 1");

    [Fact]
    public void ConfusionMatrixSkipsIgnoredPixels()
    {
        using var target = Target();
        using var prediction = Prediction();
        var evaluator = new SegmentationEvaluator(4);
        evaluator.Update(prediction, target);
        // Rows: target class; columns: predicted class. The two ignored pixels (predicted 0 and 1) are not counted.
        long[,] expected = { { 3, 1, 0, 0 }, { 1, 3, 0, 0 }, { 0, 1, 5, 0 }, { 0, 0, 0, 0 } };
        Assert.Equal(expected, evaluator.ConfusionMatrix());
        Assert.Equal(14, evaluator.PixelCount);
        Assert.Equal(5, evaluator[2, 2]);
    }

    [Fact]
    public void ScoresByHand()
    {
        using var target = Target();
        using var prediction = Prediction();
        var evaluator = new SegmentationEvaluator(4);
        evaluator.Update(prediction, target);
        var s = evaluator.Compute();
        // ∩ = diagonal (3, 3, 5, 0); predicted = column sums (4, 5, 5, 0); target = row sums (4, 4, 6, 0).
        Assert.Equal([3L, 3, 5, 0], s.Intersection);
        Assert.Equal([5L, 6, 6, 0], s.Union);
        AssertValues([3 / 5.0, 1 / 2.0, 5 / 6.0, double.NaN], s.IoU);
        AssertValues([6 / 8.0, 6 / 9.0, 10 / 11.0, double.NaN], s.Dice);
        AssertValues([3 / 4.0, 3 / 5.0, 1, double.NaN], s.Precision);
        AssertValues([3 / 4.0, 3 / 4.0, 5 / 6.0, double.NaN], s.Recall);
        // Class 3 is absent from both maps: NaN, left out of the means.
        Assert.Equal((3 / 5.0 + 1 / 2.0 + 5 / 6.0) / 3, s.MeanIoU, 12);
        Assert.Equal((6 / 8.0 + 6 / 9.0 + 10 / 11.0) / 3, s.MeanDice, 12);
        Assert.Equal((3 / 4.0 + 3 / 4.0 + 5 / 6.0) / 3, s.MeanRecall, 12);
        Assert.Equal(11 / 14.0, s.PixelAccuracy, 12);
    }

    [Fact]
    public void AClassOnlyPredictedScoresZeroAndCounts()
    {
        using var target = Masks.Parse("0 0", "1 1");
        using var prediction = Masks.Parse("0 2", "1 1");
        var evaluator = new SegmentationEvaluator(3);
        evaluator.Update(prediction, target);
        var s = evaluator.Compute();
        AssertValues([1 / 2.0, 1, 0], s.IoU);
        Assert.True(double.IsNaN(s.Recall[2]), "recall of a class absent from the target is undefined");
        Assert.Equal(0.5, s.MeanIoU, 12);
    }

    [Fact]
    public void TotalsAccumulateOverImagesAndBatches()
    {
        using var scope = DisposeScope.Begin();
        var single = new SegmentationEvaluator(4);
        single.Update(Prediction(), Target());
        single.Update(Target().MaskedFill(Target().Eq(255), 0), Target());
        var batched = new SegmentationEvaluator(4);
        var targets = Tensor.Stack([Target(), Target()]);
        var predictions = Tensor.Stack([Prediction(), Target().MaskedFill(Target().Eq(255), 0)]);
        batched.Update(predictions, targets);
        Assert.Equal(single.ConfusionMatrix(), batched.ConfusionMatrix());
        // Second image is perfect: ∩ (3, 3, 5) + (4, 4, 6); ∪ (5, 6, 6) + (4, 4, 6) → IoU (7/9, 7/10, 11/12).
        AssertValues([7 / 9.0, 7 / 10.0, 11 / 12.0, double.NaN], batched.Compute().IoU);
        var merged = new SegmentationEvaluator(4);
        merged.Merge(single);
        Assert.Equal(single.ConfusionMatrix(), merged.ConfusionMatrix());
        merged.Reset();
        Assert.Equal(0, merged.PixelCount);
        Assert.True(double.IsNaN(merged.Compute().PixelAccuracy));
    }

    [Fact]
    public void OutOfRangeLabelsAreRejectedWithoutCounting()
    {
        using var target = Masks.Parse("0 7");
        using var prediction = Masks.Parse("0 1");
        var evaluator = new SegmentationEvaluator(4);
        var ex = Assert.Throws<ArgumentException>(() => evaluator.Update(prediction, target));
        Assert.Contains("target label 7", ex.Message);
        Assert.Equal(0, evaluator.PixelCount);
        using var badPrediction = Masks.Parse("0 -1");
        using var goodTarget = Masks.Parse("0 1");
        Assert.Contains("predicted label -1", Assert.Throws<ArgumentException>(() => evaluator.Update(badPrediction, goodTarget)).Message);
        using var floats = Tensor.Zeros([1, 2]);
        Assert.Contains("integer or bool", Assert.Throws<ArgumentException>(() => evaluator.Update(floats, goodTarget)).Message);
        using var wide = Masks.Parse("0 1 1");
        Assert.Contains("shape", Assert.Throws<ArgumentException>(() => evaluator.Update(wide, goodTarget)).Message);
        Assert.Throws<ArgumentException>(() => new SegmentationEvaluator(300, ignoreIndex: 255));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SegmentationEvaluator(0));
    }

    [Fact]
    public void WithoutAnIgnoreIndexEveryPixelCounts()
    {
        using var target = Masks.Parse("0 1");
        using var prediction = Masks.Parse("1 1");
        var evaluator = new SegmentationEvaluator(2, ignoreIndex: null);
        evaluator.Update(prediction, target);
        Assert.Equal(0.5, evaluator.Compute().PixelAccuracy, 12);
    }

    private static void AssertValues(double[] expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i])) Assert.True(double.IsNaN(actual[i]), $"element {i}: expected NaN, got {actual[i]}");
            else Assert.Equal(expected[i], actual[i], 12);
        }
    }
}
