using Exemplar.Torch;

namespace Exemplar.InContext.Tests;

/// <summary>Results built from probabilities, and resized to a target's full size.</summary>
public sealed class SegmentationResultTests
{
    [Fact]
    public void LabelsTakeTheMostLikelyClassAboveTheThreshold()
    {
        using var scope = DisposeScope.Begin();
        // Two classes over 1x3 pixels: class 0 wins, class 1 wins, neither is above 0.5.
        var scores = Tensor.From([0.9f, 0.2f, 0.4f, 0.6f, 0.7f, 0.3f], 2, 1, 3);
        using var result = SegmentationResult.FromScores(scores, 0.5);
        Assert.Equal([1L, 2, 0], result.LabelMap.ToArray<long>());
        Assert.Equal([true, false, false, false, true, false], result.Masks.ToArray<bool>());
        using var fromLogits = SegmentationResult.FromLogits(Tensor.From([2f, -1f], 1, 1, 2), 0.5);
        Assert.Equal([1L, 0], fromLogits.LabelMap.ToArray<long>());
    }

    [Fact]
    public void ResizingInterpolatesTheProbabilitiesAndDecidesTheLabelsAgain()
    {
        using var scope = DisposeScope.Begin();
        var scores = Tensor.From([0.2f, 0.8f], 1, 1, 2);              // left background, right the class
        using var small = SegmentationResult.FromScores(scores, 0.5);
        using var large = small.Resize(2, 4, 0.5);
        Assert.Equal([1L, 2, 4], large.Scores.Shape);
        // Bilinear with PyTorch's half-pixel centres: 0.2, 0.35, 0.65, 0.8 along each row.
        var expected = new[] { 0.2f, 0.35f, 0.65f, 0.8f };
        var row = large.Scores.Select(0, 0).Select(0, 0).ToArray<float>();
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], row[i], 5);
        Assert.Equal([0L, 0, 1, 1, 0, 0, 1, 1], large.LabelMap.ToArray<long>());
    }
}
