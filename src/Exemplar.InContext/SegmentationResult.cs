using Exemplar.Torch;
using Exemplar.Vision.Masks;

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
    /// What was found per class: its area, the mean probability inside its mask (the segmenter's confidence in what it
    /// marked; null when the mask is empty) and its connected objects, largest first.
    /// </summary>
    /// <param name="classNames">One name per class, in class order.</param>
    public IReadOnlyList<ClassFinding> Describe(IReadOnlyList<string> classNames)
    {
        if (classNames.Count != Masks.Size(0)) throw new ArgumentException($"{Masks.Size(0)} class(es) but {classNames.Count} name(s)", nameof(classNames));
        using var scope = DisposeScope.Begin();
        double pixels = Masks.Size(1) * Masks.Size(2);
        var findings = new List<ClassFinding>();
        for (int c = 0; c < classNames.Count; c++)
        {
            var mask = Masks.Select(0, c);
            long area = mask.Sum().Item<long>();
            double? confidence = area == 0 ? null : (Scores.Select(0, c) * mask.To(DType.Float32)).Sum().Item<float>() / area;
            findings.Add(new ClassFinding(classNames[c], area, area / pixels, confidence, area == 0 ? [] : ConnectedComponents.Find(mask)));
        }
        return findings;
    }

    /// <summary>
    /// Builds the result from logits at the original size [classes, H, W]: probabilities are sigmoid(logits); a pixel
    /// takes the class with the highest probability when it is above <paramref name="threshold"/>, else background.
    /// </summary>
    public static SegmentationResult FromLogits(Tensor logits, double threshold)
    {
        using var scope = DisposeScope.Begin();
        return FromScores(Functional.Sigmoid(logits), threshold).MoveToOuterScope();
    }

    /// <summary>Builds the result from probabilities [classes, H, W] (see <see cref="FromLogits"/>).</summary>
    public static SegmentationResult FromScores(Tensor scores, double threshold)
    {
        using var scope = DisposeScope.Begin();
        var (best, index) = scores.Max(0);
        var labels = Tensor.Where(best.Gt(threshold), index + 1, Tensor.Zeros([], DType.Int64));
        var masks = Vision.Masks.LabelMap.ClassMasks(labels, scores.Size(0));
        return new SegmentationResult(labels.MoveToOuterScope(), masks.MoveToOuterScope(), scores.Alias().MoveToOuterScope());
    }

    /// <summary>
    /// The same result at another size [height, width]: probabilities resized bilinearly and the labels decided again
    /// from them (for targets decoded at a reduced scale). The caller owns the new result.
    /// </summary>
    public SegmentationResult Resize(int height, int width, double threshold)
    {
        using var scope = DisposeScope.Begin();
        var scores = Functional.Interpolate(Scores.Unsqueeze(0), height, width, InterpolationMode.Bilinear).Squeeze(0);
        return FromScores(scores, threshold).MoveToOuterScope();
    }

    private SegmentationResult MoveToOuterScope()
    {
        LabelMap.MoveToOuterScope();
        Masks.MoveToOuterScope();
        Scores.MoveToOuterScope();
        return this;
    }
}

/// <summary>One class in one segmented target (see <see cref="SegmentationResult.Describe"/>).</summary>
/// <param name="Name">The class.</param>
/// <param name="Area">Pixels assigned to it.</param>
/// <param name="AreaFraction">Its share of the image, 0 to 1.</param>
/// <param name="Confidence">Mean probability inside its mask, or null when nothing was found.</param>
/// <param name="Objects">Its connected regions (8-connected), largest first.</param>
public sealed record ClassFinding(string Name, long Area, double AreaFraction, double? Confidence, IReadOnlyList<MaskComponent> Objects);
