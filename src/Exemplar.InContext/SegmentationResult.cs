using Exemplar.Torch;

namespace Exemplar.InContext;

/// <summary>What the segmenter found in one target, at the target's original size.</summary>
/// <param name="LabelMap">[H, W] int64: 0 background, i + 1 class i.</param>
/// <param name="Masks">[classes, H, W] bool, one per class (pixels where that class wins).</param>
/// <param name="Scores">[classes, H, W] float32 probabilities of each class against the background.</param>
public sealed record SegmentationResult(Tensor LabelMap, Tensor Masks, Tensor Scores) : IDisposable
{
    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        LabelMap.Dispose();
        Masks.Dispose();
        Scores.Dispose();
    }

    /// <summary>
    /// Builds the result from logits at the original size [classes, H, W]: probabilities are sigmoid(logits); a pixel
    /// takes the class with the highest probability when it is above <paramref name="threshold"/>, else background.
    /// </summary>
    public static SegmentationResult FromLogits(Tensor logits, double threshold)
    {
        using var scope = DisposeScope.Begin();
        var scores = Functional.Sigmoid(logits);
        var (best, index) = scores.Max(0);
        var labels = Tensor.Where(best.Gt(threshold), index + 1, Tensor.Zeros([], DType.Int64));
        var masks = Vision.Masks.LabelMap.ClassMasks(labels, logits.Size(0));
        return new SegmentationResult(labels.MoveToOuterScope(), masks.MoveToOuterScope(), scores.MoveToOuterScope());
    }
}
