using Exemplar.Torch;

namespace Exemplar.InContext.Training;

/// <summary>
/// The loss that decoder training and in-context tuning both minimise: binary cross-entropy and Dice of mask logits on
/// the labelled pixels, each (sample, class) pair weighing the same. Dice averages only over the pairs whose target has
/// foreground: on an empty target it is 1 − 1 / (Σp + 1), near its maximum for any diffuse response, and would teach a
/// decoder trained with negative episodes to answer "absent" wherever its evidence is weak; cross-entropy alone teaches
/// the empty answer pixel by pixel.
/// </summary>
internal static class MaskLoss
{
    /// <summary>Logits and masks [N, classes, S, S], labelled [N, 1, S, S] (0/1) → (BCE, Dice), scalars.</summary>
    public static (Tensor Bce, Tensor Dice) Compute(Tensor logits, Tensor masks, Tensor labelled)
    {
        using var scope = DisposeScope.Begin();
        var weight = labelled.Expand(masks.Shape);
        static Tensor PerMask(Tensor x) => x.Flatten(2).Sum([2]);                             // [N, classes]
        var bce = (PerMask(Functional.BinaryCrossEntropyWithLogits(logits, masks, weight, reduction: Reduction.None)) / PerMask(weight).Clamp(min: 1)).Mean();
        var p = Functional.Sigmoid(logits) * weight;
        var t = masks * weight;
        var present = PerMask(t).Gt(0).To(logits.DType);                                    // [N, classes]
        var overlap = (PerMask(p * t) * 2 + 1) / (PerMask(p) + PerMask(t) + 1);
        var dice = ((1.0 - overlap) * present).Sum() / present.Sum().Clamp(min: 1);
        return (bce.MoveToOuterScope(), dice.MoveToOuterScope());
    }
}
