using Exemplar.Torch;

namespace Exemplar.Training.Losses;

/// <summary>
/// A weighted sum of cross-entropy, multi-class Dice and multi-class focal loss for semantic segmentation, as
/// <see cref="SegmentationLossOptions"/> sets it up. Each term is the <see cref="Functional"/> loss of the same name
/// (matched against PyTorch 1.13), with one difference: a batch whose pixels are all ignored gives a cross-entropy of 0
/// where PyTorch's mean gives NaN (0/0), so that a crop of void does not poison the weights.
/// </summary>
public sealed class SegmentationLoss
{
    private readonly double[]? _classWeights;

    /// <summary>Creates the loss.</summary>
    /// <exception cref="ArgumentException">An option out of its range (see <see cref="SegmentationLossOptions.Validate"/>).</exception>
    public SegmentationLoss(SegmentationLossOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        // A copy: the caller's list may change after validation.
        _classWeights = options.ClassWeights?.ToArray();
    }

    /// <summary>The options (validated).</summary>
    public SegmentationLossOptions Options { get; }

    /// <summary>
    /// The loss of <paramref name="logits"/> [N, C, H, W] (floating point) against class ids <paramref name="target"/>
    /// [N, H, W] (int64, each in [0, C) or <see cref="SegmentationLossOptions.IgnoreIndex"/>). The logits must already be
    /// at the target's resolution: the caller chooses how to resize them. Reading the term values for
    /// <see cref="LossTerms.Values"/> waits for the device.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes or dtypes that do not fit, or class weights of another length than C.</exception>
    public LossTerms Compute(Tensor logits, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(target);
        long[] shape = logits.Shape, targetShape = target.Shape;
        if (shape.Length != 4) throw new ArgumentException($"the logits are [N, C, H, W], not {Show(shape)}", nameof(logits));
        if (!logits.DType.IsFloatingPoint()) throw new ArgumentException($"the logits are {logits.DType}, not floating point", nameof(logits));
        if (target.DType != DType.Int64) throw new ArgumentException($"the target holds int64 class ids, not {target.DType}", nameof(target));
        if (targetShape.Length != 3 || targetShape[0] != shape[0] || targetShape[1] != shape[2] || targetShape[2] != shape[3])
        {
            throw new ArgumentException(
                $"logits {Show(shape)} do not fit target {Show(targetShape)}: the target is [N, H, W] with the logits' N, H and W (resize the logits to the target first)",
                nameof(target));
        }
        if (_classWeights is not null && _classWeights.Length != shape[1])
        {
            throw new ArgumentException(
                $"{nameof(SegmentationLossOptions.ClassWeights)} has {_classWeights.Length} weights for logits with {shape[1]} classes", nameof(logits));
        }

        using var scope = DisposeScope.Begin();
        var o = Options;
        var values = new Dictionary<string, double>();
        Tensor? total = null;
        void Add(string name, double weight, Tensor term)
        {
            values[name] = term.ToDouble();
            var weighted = term * weight;
            total = total is null ? weighted : total + weighted;
        }

        if (o.CrossEntropyWeight != 0) Add(LossTerms.CrossEntropy, o.CrossEntropyWeight, CrossEntropy(logits, target));
        if (o.DiceWeight != 0) Add(LossTerms.Dice, o.DiceWeight, Functional.MulticlassDiceLoss(logits, target, o.IgnoreIndex, o.DiceSmooth));
        if (o.FocalWeight != 0) Add(LossTerms.Focal, o.FocalWeight, Functional.FocalLoss(logits, target, o.FocalGamma, o.IgnoreIndex));
        // Validation leaves at least one positive weight, so there is a total.
        return new LossTerms(total!.MoveToOuterScope(), values.AsReadOnly());
    }

    /// <summary>
    /// PyTorch's mean cross-entropy, written as the sum over the total weight of the valid pixels' classes (how 1.13
    /// normalizes it, with or without weights and smoothing), with that total taken as 1 when it is 0.
    /// </summary>
    private Tensor CrossEntropy(Tensor logits, Tensor target)
    {
        var o = Options;
        var weights = _classWeights is null ? null : Tensor.From(_classWeights, _classWeights.Length).To(logits.Device, logits.DType);
        var sum = Functional.CrossEntropy(logits, target, weights, o.IgnoreIndex, o.LabelSmoothing, Reduction.Sum);
        var valid = target.Ne(o.IgnoreIndex);
        Tensor count;
        if (weights is null)
        {
            count = valid.Sum().To(logits.DType);
        }
        else
        {
            var classes = target.MaskedFill(valid.LogicalNot(), 0).Flatten();
            count = (weights.IndexSelect(0, classes) * valid.Flatten().To(logits.DType)).Sum();
        }
        return sum / Tensor.Where(count.Gt(0), count, 1.0);
    }

    private static string Show(long[] shape) => $"[{string.Join(", ", shape)}]";
}
