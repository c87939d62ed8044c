using Exemplar.InContext.Tuning;
using Exemplar.Torch;

namespace Exemplar.InContext.Tests.Tuning;

/// <summary>The per-class logit offset of in-context tuning, on logits whose best offset is known.</summary>
public sealed class LogitOffsetSearchTests
{
    /// <summary>
    /// One target of two classes over an 8x8 grid: logits rising along x from −3.5 to +3.5 (one per column), both
    /// classes alike; class 0's mask is the columns with logits above <paramref name="edge0"/>, class 1's above
    /// <paramref name="edge1"/>; every pixel labelled.
    /// </summary>
    private static (Tensor Logits, Tensor Masks, Tensor Labelled) Ramp(double edge0, double edge1)
    {
        var ramp = (Tensor.Arange(8).To(DType.Float32) - 3.5).View(1, 1, 1, 8).Expand([1, 2, 8, 8]).Contiguous();
        var masks = Tensor.Cat([ramp.Select(1, 0).Gt(edge0).Unsqueeze(1), ramp.Select(1, 1).Gt(edge1).Unsqueeze(1)], 1).To(DType.Float32);
        return (ramp, masks, Tensor.Ones([1, 1, 8, 8]));
    }

    [Fact]
    public void EachClassGetsTheOffsetThatMovesItsBoundaryToItsMask()
    {
        using var scope = DisposeScope.Begin();
        // The prediction is logit + b > 0. Class 0's mask begins between the columns at 0.5 and 1.5, which
        // b in (−1.5, −0.5] matches exactly: the smallest |b| there is −0.5. Class 1's begins between −2.5 and −1.5:
        // b in (1.5, 2.5], smallest 1.75.
        var offsets = LogitOffsetSearch.Choose([Ramp(1, -2)], threshold: 0.5, maxOffset: 3);
        Assert.Equal([-0.5f, 1.75f], offsets);

        // The search is bounded: within ±1, class 1 gets as close as it can (0.75 already takes in the column at −0.5;
        // so does 1, charged more).
        Assert.Equal([-0.5f, 0.75f], LogitOffsetSearch.Choose([Ramp(1, -2)], 0.5, maxOffset: 1));
        // Off, nothing moves.
        Assert.Equal([0f, 0f], LogitOffsetSearch.Choose([Ramp(1, -2)], 0.5, maxOffset: 0));
    }

    [Fact]
    public void TheThresholdSetsTheBoundaryAndUnlabelledPixelsDoNotCount()
    {
        using var scope = DisposeScope.Begin();
        // A threshold of sigmoid(1): the boundary is at logit 1, so a mask above logit 1 needs no offset.
        var offsets = LogitOffsetSearch.Choose([Ramp(1, 1)], threshold: 1 / (1 + Math.Exp(-1)), maxOffset: 3);
        Assert.Equal([0f, 0f], offsets);

        // Class 0's mask says "above −2", but only the columns above logit 1 are labelled, and there both agree with
        // "above 1" as much as with "above −2": the smaller offset wins (0 for the labelled region).
        var (logits, masks, _) = Ramp(-2, -2);
        var labelled = logits.Select(1, 0).Gt(1).Unsqueeze(1).To(DType.Float32);
        Assert.Equal([0f, 0f], LogitOffsetSearch.Choose([(logits, masks, labelled)], 0.5, 3));
    }

    [Fact]
    public void TargetsArePooledAndAnEmptyClassKeepsZero()
    {
        using var scope = DisposeScope.Begin();
        // Two targets, class 0's masks beginning above 1 (3 columns) and above −1 (5 columns). Predicting 5 columns
        // scores (3 + 5) / (5 + 5) = 0.8 pooled, better than 3 columns' 6 / 8: b in (0.5, 1.5], smallest 0.75. (The
        // mean of the two IoUs would tie 3 and 5 columns at 0.8 and take −0.5.) Class 1 has no foreground anywhere and
        // logits far below the boundary, so no offset predicts anything: it keeps 0.
        var (l1, m1, v1) = Ramp(1, 99);
        var (l2, m2, v2) = Ramp(-1, 99);
        l1 = Tensor.Cat([l1.Narrow(1, 0, 1), Tensor.Full([1, 1, 8, 8], -10.0)], 1);
        l2 = Tensor.Cat([l2.Narrow(1, 0, 1), Tensor.Full([1, 1, 8, 8], -10.0)], 1);
        Assert.Equal([0.75f, 0f], LogitOffsetSearch.Choose([(l1, m1, v1), (l2, m2, v2)], 0.5, 3));
    }
}
