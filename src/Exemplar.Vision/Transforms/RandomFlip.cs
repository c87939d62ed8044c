namespace Exemplar.Vision.Transforms;

/// <summary>Options of <see cref="RandomFlip"/>.</summary>
public sealed record RandomFlipOptions
{
    /// <summary>Probability of mirroring left–right.</summary>
    public double HorizontalProbability { get; init; } = 0.5;

    /// <summary>Probability of mirroring top–bottom (drawn independently of the horizontal flip).</summary>
    public double VerticalProbability { get; init; }

    internal void Validate()
    {
        if (HorizontalProbability is < 0 or > 1 || double.IsNaN(HorizontalProbability)) throw new ArgumentException($"RandomFlipOptions.HorizontalProbability must be in [0, 1], got {HorizontalProbability}");
        if (VerticalProbability is < 0 or > 1 || double.IsNaN(VerticalProbability)) throw new ArgumentException($"RandomFlipOptions.VerticalProbability must be in [0, 1], got {VerticalProbability}");
    }
}

/// <summary>Mirrors image and mask together, horizontally and/or vertically, each with its probability.</summary>
public sealed class RandomFlip : ISegmentationTransform
{
    /// <summary>A transform with <paramref name="options"/> (default: horizontal with probability 0.5).</summary>
    public RandomFlip(RandomFlipOptions? options = null)
    {
        Options = options ?? new RandomFlipOptions();
        Options.Validate();
    }

    /// <summary>The options.</summary>
    public RandomFlipOptions Options { get; }

    /// <summary>Draws two numbers (horizontal, then vertical) and flips accordingly.</summary>
    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(random);
        bool horizontal = random.Chance(Options.HorizontalProbability);
        bool vertical = random.Chance(Options.VerticalProbability);
        return Flip(sample, horizontal, vertical);
    }

    /// <summary>Mirrors the sample left–right when <paramref name="horizontal"/>, top–bottom when <paramref name="vertical"/>.</summary>
    public static SegmentationSample Flip(SegmentationSample sample, bool horizontal, bool vertical)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (!horizontal && !vertical) return sample.Alias();
        // Image [3, H, W]: H is dim 1, W dim 2; mask [H, W]: dims 0 and 1.
        long[] imageDims = horizontal && vertical ? [1, 2] : horizontal ? [2] : [1];
        long[] maskDims = horizontal && vertical ? [0, 1] : horizontal ? [1] : [0];
        return sample.With(sample.Image.Flip(imageDims), sample.Mask.Flip(maskDims));
    }
}
