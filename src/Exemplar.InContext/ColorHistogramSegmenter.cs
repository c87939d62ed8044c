using Exemplar.Torch;
using Exemplar.Vision.Filters;

namespace Exemplar.InContext;

/// <summary>
/// The honest baseline: no learned features at all. Colour-histogram back-projection (Swain and Ballard): from the
/// examples, the RGB histogram (16 bins per channel) of each class and of the background; a target pixel's class
/// probability is the class's share of the two normalised histograms at its colour, smoothed over a small window.
/// The benchmark table shows what learned features add over this.
/// </summary>
public sealed class ColorHistogramSegmenter : IExampleSegmenter
{
    private static readonly Op Bincount = Op.Get("aten::bincount");
    private readonly int _bins;
    private readonly int _smoothingRadius;
    private readonly double _threshold;

    /// <summary>Creates the baseline.</summary>
    /// <param name="binsPerChannel">Histogram bins per RGB channel (1 to 256).</param>
    /// <param name="smoothingRadius">Radius of the box filter applied to the probabilities (0: none).</param>
    /// <param name="threshold">Probability above which a pixel is the class.</param>
    public ColorHistogramSegmenter(int binsPerChannel = 16, int smoothingRadius = 3, double threshold = 0.5)
    {
        if (binsPerChannel is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(binsPerChannel), binsPerChannel, "1 to 256 bins per channel");
        if (smoothingRadius < 0) throw new ArgumentOutOfRangeException(nameof(smoothingRadius), smoothingRadius, "must not be negative");
        if (threshold is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "must be in (0, 1)");
        (_bins, _smoothingRadius, _threshold) = (binsPerChannel, smoothingRadius, threshold);
    }

    /// <inheritdoc/>
    public string Name => "colour-histogram";

    /// <inheritdoc/>
    public IReadOnlyList<SegmentationResult> SegmentEpisode(PromptSet prompts, IReadOnlyList<Tensor> targets)
    {
        prompts.Validate();
        using var noGrad = LibTorch.NoGrad();
        using var histograms = DisposeScope.Begin();
        long bins = (long)_bins * _bins * _bins;
        int classes = prompts.ClassNames.Count;
        var classCounts = new Tensor[classes];
        Tensor? backgroundCounts = null;
        foreach (var example in prompts.Examples)
        {
            var index = ColourIndex(example.Image);                                   // [H·W]
            var labelled = example.Ignore is null ? null : example.Ignore.Eq(0).Flatten();
            var inAny = example.Masks.Ne(0).Sum(0).Ne(0).Flatten();                  // [H·W]: in some class
            for (int c = 0; c < classes; c++)
            {
                var counts = Histogram(index, example.Masks.Select(0, c).Ne(0).Flatten(), bins);
                classCounts[c] = classCounts[c] is null ? counts : classCounts[c] + counts;
            }
            var isBackground = labelled is null ? inAny.LogicalNot() : inAny.LogicalNot() & labelled; // ignored pixels are neither
            var bg = Histogram(index, isBackground, bins);
            backgroundCounts = backgroundCounts is null ? bg : backgroundCounts + bg;
        }
        var background = Normalise(backgroundCounts!);
        var classHistograms = classCounts.Select(Normalise).ToArray();
        var results = new List<SegmentationResult>();
        foreach (var target in targets)
        {
            using var perTarget = DisposeScope.Begin();
            var index = ColourIndex(target);
            long h = target.Size(1), w = target.Size(2);
            var bgAt = background.IndexSelect(0, index);
            var probabilities = new Tensor[classes];
            for (int c = 0; c < classes; c++)
            {
                var fgAt = classHistograms[c].IndexSelect(0, index);
                probabilities[c] = (fgAt / (fgAt + bgAt + 1e-12)).Reshape(1, 1, h, w);
            }
            var stacked = Tensor.Cat(probabilities, 1);
            var smoothed = (_smoothingRadius > 0 ? GuidedFilter.Box(stacked, _smoothingRadius) : stacked).Squeeze(0).Clamp(1e-6, 1 - 1e-6);
            var logits = (smoothed / (1.0 - smoothed)).Log();
            var result = SegmentationResult.FromLogits(logits, _threshold);
            // Out of both scopes: the caller owns the results.
            result.LabelMap.MoveToOuterScope().MoveToOuterScope();
            result.Masks.MoveToOuterScope().MoveToOuterScope();
            result.Scores.MoveToOuterScope().MoveToOuterScope();
            results.Add(result);
        }
        return results;
    }

    /// <summary>Joint RGB bin of every pixel of an image [3, H, W] uint8 → [H·W] int64.</summary>
    private Tensor ColourIndex(Tensor image)
    {
        if (image.Dim != 3 || image.Size(0) != 3 || image.DType != DType.UInt8) throw new ArgumentException($"expected an image [3, H, W] uint8, got [{string.Join(", ", image.Shape)}] {image.DType}");
        var q = (image.To(DType.Int64) * _bins).FloorDivide(256).Flatten(1);          // [3, H·W] in [0, bins)
        return q.Select(0, 0) * ((long)_bins * _bins) + q.Select(0, 1) * _bins + q.Select(0, 2);
    }

    private static Tensor Histogram(Tensor index, Tensor select, long bins) =>
        Ops.Call(Bincount, index, select.To(DType.Float64), bins);

    private static Tensor Normalise(Tensor counts) => (counts / counts.Sum().Clamp(min: 1)).To(DType.Float32);
}
