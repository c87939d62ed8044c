namespace Exemplar.Training.Losses;

/// <summary>
/// The terms of <see cref="SegmentationLoss"/> and their weights: cross-entropy, multi-class Dice and multi-class focal
/// loss over the same logits and labels. A term with weight 0 is not computed.
/// </summary>
public sealed record SegmentationLossOptions
{
    /// <summary>Weight of the cross-entropy term (the mean over the valid pixels, weighted by <see cref="ClassWeights"/>).</summary>
    public double CrossEntropyWeight { get; init; } = 1;

    /// <summary>Weight of the multi-class Dice term (softmax, per class over the batch, mean over the classes).</summary>
    public double DiceWeight { get; init; }

    /// <summary>Weight of the multi-class focal term, CE · (1 − p_t)^γ averaged over the valid pixels.</summary>
    public double FocalWeight { get; init; }

    /// <summary>The focal term's γ (0 makes it plain, unweighted cross-entropy).</summary>
    public double FocalGamma { get; init; } = 2;

    /// <summary>The label of pixels that no term counts (void, borders).</summary>
    public long IgnoreIndex { get; init; } = 255;

    /// <summary>Label smoothing of the cross-entropy term only, in [0, 1].</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>
    /// Per-class weights [C] of the cross-entropy term only (the Dice and focal terms treat classes alike); null weighs
    /// every class 1. Its length must match the logits' channels.
    /// </summary>
    public IReadOnlyList<double>? ClassWeights { get; init; }

    /// <summary>
    /// The Dice term's smoothing, added to its numerator and denominator; positive, so that a class absent from a
    /// batch, or a batch without valid pixels, gives a finite term.
    /// </summary>
    public double DiceSmooth { get; init; } = 1;

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option out of its range, named in the message and as the parameter.</exception>
    public void Validate()
    {
        NonNegative(CrossEntropyWeight, nameof(CrossEntropyWeight));
        NonNegative(DiceWeight, nameof(DiceWeight));
        NonNegative(FocalWeight, nameof(FocalWeight));
        if (CrossEntropyWeight == 0 && DiceWeight == 0 && FocalWeight == 0)
        {
            throw new ArgumentException(
                $"{nameof(CrossEntropyWeight)}, {nameof(DiceWeight)} and {nameof(FocalWeight)} are all 0: at least one term needs a positive weight",
                nameof(CrossEntropyWeight));
        }
        NonNegative(FocalGamma, nameof(FocalGamma));
        if (!(LabelSmoothing is >= 0 and <= 1))
            throw new ArgumentException($"{nameof(LabelSmoothing)} is {LabelSmoothing}, not in [0, 1]", nameof(LabelSmoothing));
        if (!(DiceSmooth > 0) || double.IsInfinity(DiceSmooth))
            throw new ArgumentException($"{nameof(DiceSmooth)} is {DiceSmooth}, not a positive finite number", nameof(DiceSmooth));
        if (ClassWeights is { } weights)
        {
            if (weights.Count == 0) throw new ArgumentException($"{nameof(ClassWeights)} is empty (null weighs every class 1)", nameof(ClassWeights));
            for (int i = 0; i < weights.Count; i++) NonNegative(weights[i], $"{nameof(ClassWeights)}[{i}]", nameof(ClassWeights));
            if (weights.All(w => w == 0)) throw new ArgumentException($"{nameof(ClassWeights)} are all 0", nameof(ClassWeights));
        }
    }

    private static void NonNegative(double value, string name, string? parameter = null)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentException($"{name} is {value}, not a finite number ≥ 0", parameter ?? name);
    }
}
