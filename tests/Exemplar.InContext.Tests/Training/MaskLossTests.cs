using Exemplar.InContext.Training;
using Exemplar.Torch;

namespace Exemplar.InContext.Tests.Training;

/// <summary>The loss that decoder training and prompt tuning minimise.</summary>
public sealed class MaskLossTests
{
    [Fact]
    public void DiceScoresOnlyTargetsWithForegroundAndCrossEntropyScoresEveryLabelledPixel()
    {
        using var scope = DisposeScope.Begin();
        // Sample 0: the left half is foreground and the logits find it; sample 1: an empty target with a diffuse response.
        var masks = Tensor.Zeros([2, 1, 4, 4]);
        masks.Narrow(0, 0, 1).Narrow(3, 0, 2).Fill_(1);
        var logits = masks * 8.0 - 4.0;                                                       // sample 0: ±4 where it should be
        logits.Narrow(0, 1, 1).Fill_(0);                                                      // sample 1: p = 0.5 everywhere
        var labelled = Tensor.Ones([2, 1, 4, 4]);
        var (bce, dice) = MaskLoss.Compute(logits, masks, labelled);

        // Dice of sample 0 alone: p = σ(4) on its 8 foreground pixels, σ(−4) on the 8 others.
        double high = 1 / (1 + Math.Exp(-4)), low = 1 - high;
        double expectedDice = 1 - (2 * 8 * high + 1) / (8 * high + 8 * low + 8 + 1);
        Assert.Equal(expectedDice, dice.ToDouble(), 5);
        // Cross-entropy: mean over samples of the mean over labelled pixels; the empty target pays ln 2 per pixel.
        double expectedBce = (-Math.Log(high) + Math.Log(2)) / 2;
        Assert.Equal(expectedBce, bce.ToDouble(), 5);

        // Unlabelled pixels do not count; a batch with no foreground at all has no Dice term.
        var none = MaskLoss.Compute(logits.Narrow(0, 1, 1), masks.Narrow(0, 1, 1), labelled.Narrow(0, 1, 1));
        Assert.Equal(0, none.Dice.ToDouble(), 6);
        var halfLabelled = labelled.Clone();
        halfLabelled.Narrow(3, 2, 2).Fill_(0);
        var (halfBce, _) = MaskLoss.Compute(logits, masks, halfLabelled);
        Assert.Equal((-Math.Log(high) + Math.Log(2)) / 2, halfBce.ToDouble(), 5);
    }

    [Fact]
    public void WithAPresenceHeadOnlyTargetsWithForegroundCount()
    {
        using var scope = DisposeScope.Begin();
        // Sample 0 holds the class on its left half, sample 1 is an empty target (the presence head's to answer).
        var masks = Tensor.Zeros([2, 1, 4, 4]);
        masks.Narrow(0, 0, 1).Narrow(3, 0, 2).Fill_(1);
        var logits = masks * 8.0 - 4.0;
        logits.Narrow(0, 1, 1).Fill_(3);                                                      // confidently wrong on the empty one
        var labelled = Tensor.Ones([2, 1, 4, 4]);
        var (bce, dice) = MaskLoss.Compute(logits, masks, labelled, positivesOnly: true);
        var (alone, aloneDice) = MaskLoss.Compute(logits.Narrow(0, 0, 1), masks.Narrow(0, 0, 1), labelled.Narrow(0, 0, 1));
        Assert.Equal(alone.ToDouble(), bce.ToDouble(), 6);
        Assert.Equal(aloneDice.ToDouble(), dice.ToDouble(), 6);
        Assert.True(MaskLoss.Compute(logits, masks, labelled).Bce.ToDouble() > bce.ToDouble() + 1, "without positivesOnly the empty target counts");

        // Presence: foreground inside the labelled area only.
        Assert.Equal([1f, 0f], MaskLoss.Present(masks, labelled).Flatten().ToArray<float>());
        var leftUnlabelled = labelled.Clone();
        leftUnlabelled.Narrow(3, 0, 2).Fill_(0);
        Assert.Equal([0f, 0f], MaskLoss.Present(masks, leftUnlabelled).Flatten().ToArray<float>());
        var none = MaskLoss.Compute(logits.Narrow(0, 1, 1), masks.Narrow(0, 1, 1), labelled.Narrow(0, 1, 1), positivesOnly: true);
        Assert.Equal(0, none.Bce.ToDouble() + none.Dice.ToDouble(), 6);
    }
}
