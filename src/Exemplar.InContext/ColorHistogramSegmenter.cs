using Exemplar.Torch;
using Exemplar.Vision.Filters;

namespace Exemplar.InContext;

/// <summary>
/// The honest baseline: no learned features at all. Colour-histogram back-projection (Swain and Ballard): from the
/// examples, the RGB histogram (16 bins per channel) of each class and of the background; a target pixel's class
/// probability is the class's share of the two normalised histograms at its colour, smoothed over a small window.
/// The benchmark table shows what learned features add over this.
/// </summary>
public sealed class ColorHistogramSegmenter(int binsPerChannel = 16, int smoothingRadius = 3, double threshold = 0.5) : IExampleSegmenter
{
    private static readonly Op Bincount = Op.Get("aten::bincount");

    /// <inheritdoc/>
    public string Name => "colour-histogram";

    /// <inheritdoc/>
    public IReadOnlyList<SegmentationResult> SegmentEpisode(PromptSet prompts, IReadOnlyList<Tensor> targets)
    {
        prompts.Validate();
        using var noGrad = LibTorch.NoGrad();
        using var scope = DisposeScope.Begin();
        long bins = (long)binsPerChannel * binsPerChannel * binsPerChannel;
        int classes = prompts.ClassNames.Count;
        var classCounts = new Tensor[classes];
        Tensor? backgroundCounts = null;
        foreach (var example in prompts.Examples)
        {
            var index = ColourIndex(example.Image);                                  // [H·W]
            var inAny = example.Masks.Ne(0).Sum(0).Ne(0).Flatten();                 // [H·W]: in some class
            for (int c = 0; c < classes; c++)
            {
                var inClass = example.Masks.Select(0, c).Ne(0).Flatten();
                var counts = Histogram(index, inClass, bins);
                classCounts[c] = classCounts[c] is null ? counts : classCounts[c] + counts;
            }
            var bg = Histogram(index, inAny.LogicalNot(), bins);
            backgroundCounts = backgroundCounts is null ? bg : backgroundCounts + bg;
        }
        var background = Normalise(backgroundCounts!);
        var results = new List<SegmentationResult>();
        foreach (var target in targets)
        {
            var index = ColourIndex(target);
            long h = target.Size(1), w = target.Size(2);
            var bgAt = background.IndexSelect(0, index);
            var probabilities = new Tensor[classes];
            for (int c = 0; c < classes; c++)
            {
                var fgAt = Normalise(classCounts[c]).IndexSelect(0, index);
                probabilities[c] = (fgAt / (fgAt + bgAt + 1e-12)).Reshape(1, 1, h, w);
            }
            var smoothed = GuidedFilter.Box(Tensor.Cat(probabilities, 1), smoothingRadius).Squeeze(0).Clamp(1e-6, 1 - 1e-6);
            var logits = (smoothed / (1.0 - smoothed)).Log();
            var result = SegmentationResult.FromLogits(logits, threshold);
            result.LabelMap.MoveToOuterScope();
            result.Masks.MoveToOuterScope();
            result.Scores.MoveToOuterScope();
            results.Add(result);
        }
        return results;
    }

    /// <summary>Joint RGB bin of every pixel of an image [3, H, W] uint8 → [H·W] int64.</summary>
    private Tensor ColourIndex(Tensor image)
    {
        if (image.Dim != 3 || image.Size(0) != 3 || image.DType != DType.UInt8) throw new ArgumentException($"expected an image [3, H, W] uint8, got [{string.Join(", ", image.Shape)}] {image.DType}");
        var q = (image.To(DType.Int64) * binsPerChannel).FloorDivide(256).Flatten(1);      // [3, H·W] in [0, bins)
        return q.Select(0, 0) * (binsPerChannel * binsPerChannel) + q.Select(0, 1) * binsPerChannel + q.Select(0, 2);
    }

    private static Tensor Histogram(Tensor index, Tensor select, long bins) =>
        Ops.Call(Bincount, index, select.To(DType.Float64), bins);

    private static Tensor Normalise(Tensor counts) => (counts / counts.Sum().Clamp(min: 1)).To(DType.Float32);
}
