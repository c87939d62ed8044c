using Exemplar.Torch;

namespace Exemplar.Vision.Transforms;

/// <summary>Options of <see cref="CutMix"/>.</summary>
public sealed record CutMixOptions
{
    /// <summary>Probability of mixing at all (otherwise the first sample is returned unchanged).</summary>
    public double Probability { get; init; } = 1.0;

    /// <summary>λ ~ Beta(Alpha, Alpha) is the kept fraction of the first sample; 1 (the paper's choice) makes λ uniform.</summary>
    public double Alpha { get; init; } = 1.0;

    internal void Validate()
    {
        if (Probability is < 0 or > 1 || double.IsNaN(Probability)) throw new ArgumentException($"CutMixOptions.Probability must be in [0, 1], got {Probability}");
        if (!(Alpha > 0) || double.IsInfinity(Alpha)) throw new ArgumentException($"CutMixOptions.Alpha must be positive and finite, got {Alpha}");
    }
}

/// <summary>
/// CutMix (Yun et al., 2019) for segmentation: a random box of the second sample is pasted into the first, into image
/// and mask alike. Box: λ ~ Beta(α, α), cut ratio √(1 − λ), box size (floor(H·r), floor(W·r)) centred at a uniform pixel,
/// clipped to the image. Both samples must have the same size and image dtype.
/// </summary>
public sealed class CutMix : IMixingTransform
{
    /// <summary>A transform with <paramref name="options"/>.</summary>
    public CutMix(CutMixOptions? options = null)
    {
        Options = options ?? new CutMixOptions();
        Options.Validate();
    }

    /// <summary>The options.</summary>
    public CutMixOptions Options { get; }

    /// <summary>Two: the sample being augmented and the one the box comes from.</summary>
    public int SampleCount => 2;

    /// <summary>Draws the coin, then the box (<see cref="SampleBox"/>), and pastes.</summary>
    public SegmentationSample Mix(IReadOnlyList<SegmentationSample> samples, Random random)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(random);
        if (samples.Count != 2) throw new ArgumentException($"CutMix: expected 2 samples, got {samples.Count}", nameof(samples));
        var (target, source) = (samples[0], samples[1]);
        CheckCompatible(target, source);
        if (!random.Chance(Options.Probability)) return target.Alias();
        var box = SampleBox(target.Height, target.Width, Options.Alpha, random);
        return Paste(target, source, box);
    }

    /// <summary>
    /// Draws a box for an H x W image: λ (uniform when α = 1, else Beta(α, α)), r = √(1 − λ), cut size
    /// (floor(H·r), floor(W·r)), centre (cy, cx) uniform over pixels, box = centre ± half the size, clipped. May be empty.
    /// </summary>
    public static CropBox SampleBox(int height, int width, double alpha, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double lambda = alpha == 1.0 ? random.NextDouble() : random.Beta(alpha, alpha);
        double ratio = Math.Sqrt(1 - lambda);
        int cutH = (int)(height * ratio), cutW = (int)(width * ratio);
        int cy = random.Next(height), cx = random.Next(width);
        int top = Math.Clamp(cy - cutH / 2, 0, height), bottom = Math.Clamp(cy + cutH / 2, 0, height);
        int left = Math.Clamp(cx - cutW / 2, 0, width), right = Math.Clamp(cx + cutW / 2, 0, width);
        return new CropBox(top, left, bottom - top, right - left);
    }

    /// <summary>The first sample with <paramref name="box"/> (same place in both) replaced by the second sample's content.</summary>
    public static SegmentationSample Paste(SegmentationSample target, SegmentationSample source, CropBox box)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        CheckCompatible(target, source);
        if (box.Top < 0 || box.Left < 0 || box.Height < 0 || box.Width < 0 || box.Top + box.Height > target.Height || box.Left + box.Width > target.Width)
        {
            throw new ArgumentException($"CutMix: box {box} does not fit in a {target.Height}x{target.Width} sample", nameof(box));
        }
        var image = target.Image.Clone();
        var mask = target.Mask.Clone();
        if (box.Height > 0 && box.Width > 0)
        {
            var rows = new Range(box.Top, box.Top + box.Height);
            var cols = new Range(box.Left, box.Left + box.Width);
            using (var patch = source.Image[.., rows, cols]) image[.., rows, cols] = patch;
            using (var patch = source.Mask[rows, cols]) mask[rows, cols] = patch;
        }
        return target.With(image, mask);
    }

    private static void CheckCompatible(SegmentationSample target, SegmentationSample source)
    {
        if (target.Height != source.Height || target.Width != source.Width)
        {
            throw new ArgumentException($"CutMix: the samples must have the same size, got {target.Height}x{target.Width} and {source.Height}x{source.Width} (resize or crop them first)");
        }
        if (target.Image.DType != source.Image.DType || target.Mask.DType != source.Mask.DType)
        {
            throw new ArgumentException($"CutMix: the samples must have the same dtypes, got image {target.Image.DType}/{source.Image.DType}, mask {target.Mask.DType}/{source.Mask.DType}");
        }
    }
}
