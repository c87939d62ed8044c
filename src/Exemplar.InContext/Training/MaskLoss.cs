using Exemplar.Torch;

namespace Exemplar.InContext.Training;

/// <summary>
/// The loss that decoder training and in-context tuning both minimise: binary cross-entropy and Dice of mask logits on
/// the labelled pixels, each (sample, class) pair weighing the same. Dice averages only over the pairs whose target has
/// foreground: on an empty target it is 1 − 1 / (Σp + 1), near its maximum for any diffuse response, and would teach a
/// decoder trained with negative episodes to answer "absent" wherever its evidence is weak; cross-entropy alone teaches
/// the empty answer pixel by pixel. For a decoder with a presence head, both terms score only the pairs with
/// foreground (<c>positivesOnly</c>): whether the class is there at all is the presence head's to say.
/// </summary>
internal static class MaskLoss
{
    /// <summary>Logits and masks [N, classes, S, S], labelled [N, 1, S, S] (0/1) → (BCE, Dice), scalars.</summary>
    public static (Tensor Bce, Tensor Dice) Compute(Tensor logits, Tensor masks, Tensor labelled, bool positivesOnly = false)
    {
        using var scope = DisposeScope.Begin();
        var weight = labelled.Expand(masks.Shape);
        var t = masks * weight;
        var present = Foreground(t);                                                          // [N, classes]
        var perMaskBce = PerMask(Functional.BinaryCrossEntropyWithLogits(logits, masks, weight, reduction: Reduction.None)) / PerMask(weight).Clamp(min: 1);
        var bce = positivesOnly ? (perMaskBce * present).Sum() / present.Sum().Clamp(min: 1) : perMaskBce.Mean();
        var p = Functional.Sigmoid(logits) * weight;
        var overlap = (PerMask(p * t) * 2 + 1) / (PerMask(p) + PerMask(t) + 1);
        var dice = ((1.0 - overlap) * present).Sum() / present.Sum().Clamp(min: 1);
        return (bce.MoveToOuterScope(), dice.MoveToOuterScope());
    }

    /// <summary>Masks [N, classes, S, S] and labelled [N, 1, S, S] → [N, classes] 1 where the labelled area holds foreground, else 0.</summary>
    public static Tensor Present(Tensor masks, Tensor labelled)
    {
        using var scope = DisposeScope.Begin();
        return Foreground(masks * labelled.Expand(masks.Shape)).MoveToOuterScope();
    }

    private static Tensor Foreground(Tensor labelledMasks) => PerMask(labelledMasks).Gt(0).To(labelledMasks.DType);

    private static Tensor PerMask(Tensor x) => x.Flatten(2).Sum([2]);
}
