namespace Exemplar.Torch;

/// <summary>How a loss reduces its per-element values (numbered as ATen's <c>Reduction</c>).</summary>
public enum Reduction
{
    /// <summary>No reduction: one value per element.</summary>
    None = 0,
    /// <summary>The mean (over the non-ignored elements, weighted by class weights where given).</summary>
    Mean = 1,
    /// <summary>The sum.</summary>
    Sum = 2,
}

public static partial class Functional
{
    /// <summary>
    /// Cross-entropy of logits [N, C, …] against class ids [N, …] (int64), as <c>F.cross_entropy</c>: optional class
    /// weights [C], an ignored id, and label smoothing.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Tensor? classWeights = null, long ignoreIndex = -100, double labelSmoothing = 0, Reduction reduction = Reduction.Mean) =>
        Ops.Call(LossOps.CrossEntropy, logits, target, classWeights, (long)reduction, ignoreIndex, labelSmoothing);

    /// <summary>Binary cross-entropy on logits (numerically stable), with optional element weights and positive-class weight.</summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor? weight = null, Tensor? positiveWeight = null, Reduction reduction = Reduction.Mean) =>
        Ops.Call(LossOps.BceWithLogits, logits, target, weight, positiveWeight, (long)reduction);

    /// <summary>
    /// Binary Dice loss, 1 − (2·Σ p·t + smooth) / (Σ p + Σ t + smooth) per sample with p = sigmoid(logits), averaged over
    /// the batch. logits and target (0/1 float) are [N, …].
    /// </summary>
    public static Tensor DiceLoss(Tensor logits, Tensor target, double smooth = 1.0)
    {
        using var scope = DisposeScope.Begin();
        var p = Sigmoid(logits).Flatten(1);
        var t = target.To(p.DType).Flatten(1);
        var intersection = (p * t).Sum(1);
        var denominator = p.Sum(1) + t.Sum(1);
        var dice = (intersection * 2 + smooth) / (denominator + smooth);
        return (1.0 - dice.Mean()).MoveToOuterScope();
    }

    /// <summary>
    /// Multi-class Dice loss: logits [N, C, …], class ids [N, …] (int64). p = softmax over C; per class
    /// dice = (2·Σ p·t + smooth) / (Σ p + Σ t + smooth) over the batch and the valid pixels (target ≠ ignoreIndex);
    /// the loss is 1 − the mean over classes.
    /// </summary>
    public static Tensor MulticlassDiceLoss(Tensor logits, Tensor target, long ignoreIndex = -100, double smooth = 1.0)
    {
        using var scope = DisposeScope.Begin();
        long classes = logits.Size(1);
        var valid = target.Ne(ignoreIndex);
        var safeTarget = target.MaskedFill(valid.LogicalNot(), 0);
        var p = Softmax(logits, 1);
        var oneHot = OneHot(safeTarget, classes).Movedim(-1, 1).To(p.DType);
        var mask = valid.Unsqueeze(1).To(p.DType);
        p *= mask;
        oneHot *= mask;
        long[] reduceDims = [.. Enumerable.Range(0, logits.Dim).Where(d => d != 1).Select(d => (long)d)];
        var intersection = (p * oneHot).Sum(reduceDims);
        var denominator = p.Sum(reduceDims) + oneHot.Sum(reduceDims);
        var dice = (intersection * 2 + smooth) / (denominator + smooth);
        return (1.0 - dice.Mean()).MoveToOuterScope();
    }

    /// <summary>
    /// Sigmoid focal loss (Lin et al.; torchvision's <c>sigmoid_focal_loss</c>): BCE · (1 − p_t)^γ, weighted by α for
    /// positives and 1 − α for negatives (no weighting when α &lt; 0).
    /// </summary>
    public static Tensor SigmoidFocalLoss(Tensor logits, Tensor target, double alpha = 0.25, double gamma = 2, Reduction reduction = Reduction.Mean)
    {
        using var scope = DisposeScope.Begin();
        var p = Sigmoid(logits);
        var t = target.To(p.DType);
        var ce = BinaryCrossEntropyWithLogits(logits, t, reduction: Reduction.None);
        var pT = p * t + (1.0 - p) * (1.0 - t);
        var loss = ce * (1.0 - pT).Pow(gamma);
        if (alpha >= 0) loss *= t * alpha + (1.0 - t) * (1 - alpha);
        return Reduce(loss, reduction).MoveToOuterScope();
    }

    /// <summary>
    /// Multi-class focal loss: CE · (1 − p_t)^γ with p_t = exp(−CE), over logits [N, C, …] and class ids [N, …]; ignored
    /// pixels count for nothing, and the mean is over the valid ones.
    /// </summary>
    public static Tensor FocalLoss(Tensor logits, Tensor target, double gamma = 2, long ignoreIndex = -100, Reduction reduction = Reduction.Mean)
    {
        using var scope = DisposeScope.Begin();
        var ce = CrossEntropy(logits, target, ignoreIndex: ignoreIndex, reduction: Reduction.None);
        var loss = ce * (1.0 - (-ce).Exp()).Pow(gamma);
        if (reduction != Reduction.Mean) return Reduce(loss, reduction).MoveToOuterScope();
        var valid = target.Ne(ignoreIndex).Sum().To(loss.DType).Clamp(min: 1);
        return (loss.Sum() / valid).MoveToOuterScope();
    }

    private static Tensor Reduce(Tensor loss, Reduction reduction) => reduction switch
    {
        Reduction.None => loss.Alias(),
        Reduction.Sum => loss.Sum(),
        _ => loss.Mean(),
    };

    private static class LossOps
    {
        internal static readonly Op CrossEntropy = Op.Get("aten::cross_entropy_loss");
        internal static readonly Op BceWithLogits = Op.Get("aten::binary_cross_entropy_with_logits");
    }
}
