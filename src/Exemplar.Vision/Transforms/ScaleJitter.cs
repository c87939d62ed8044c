using Exemplar.Torch;

namespace Exemplar.Vision.Transforms;

/// <summary>Options of <see cref="ScaleJitter"/>.</summary>
public sealed record ScaleJitterOptions
{
    /// <summary>Smallest scale factor.</summary>
    public double MinScale { get; init; } = 0.5;

    /// <summary>Largest scale factor.</summary>
    public double MaxScale { get; init; } = 2.0;

    /// <summary>Image filter: bilinear or bicubic (masks always use nearest).</summary>
    public InterpolationMode ImageInterpolation { get; init; } = InterpolationMode.Bilinear;

    /// <summary>Low-pass before shrinking.</summary>
    public bool Antialias { get; init; } = true;

    internal void Validate()
    {
        if (!(MinScale > 0) || !(MaxScale >= MinScale) || double.IsInfinity(MaxScale)) throw new ArgumentException($"ScaleJitterOptions: need 0 < MinScale <= MaxScale, got {MinScale}, {MaxScale}");
        if (ImageInterpolation is not (InterpolationMode.Bilinear or InterpolationMode.Bicubic)) throw new ArgumentException($"ScaleJitterOptions.ImageInterpolation must be Bilinear or Bicubic, got {ImageInterpolation}");
    }
}

/// <summary>
/// Rescales image and mask by a random factor s ~ U(MinScale, MaxScale), keeping the aspect ratio: H x W becomes
/// floor(H·s + 0.5) x floor(W·s + 0.5) (at least 1), as mmseg's <c>RandomResize</c> with a ratio range relative to the input.
/// </summary>
public sealed class ScaleJitter : ISegmentationTransform
{
    /// <summary>A transform with <paramref name="options"/> (default 0.5–2).</summary>
    public ScaleJitter(ScaleJitterOptions? options = null)
    {
        Options = options ?? new ScaleJitterOptions();
        Options.Validate();
    }

    /// <summary>The options.</summary>
    public ScaleJitterOptions Options { get; }

    /// <summary>Draws one number, the scale.</summary>
    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(random);
        double scale = random.Uniform(Options.MinScale, Options.MaxScale);
        return Rescale(sample, scale, Options.ImageInterpolation, Options.Antialias);
    }

    /// <summary>Rescales the sample by <paramref name="scale"/>.</summary>
    public static SegmentationSample Rescale(SegmentationSample sample, double scale,
        InterpolationMode imageInterpolation = InterpolationMode.Bilinear, bool antialias = true)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (!(scale > 0) || double.IsInfinity(scale)) throw new ArgumentException($"ScaleJitter: the scale must be positive and finite, got {scale}", nameof(scale));
        int height = Math.Max(1, (int)Math.Floor(sample.Height * scale + 0.5));
        int width = Math.Max(1, (int)Math.Floor(sample.Width * scale + 0.5));
        using var scope = DisposeScope.Begin();
        var image = ImageTensors.ResizeImage(sample.Image, height, width, imageInterpolation, antialias).MoveToOuterScope();
        var mask = ImageTensors.ResizeMask(sample.Mask, height, width).MoveToOuterScope();
        return sample.With(image, mask);
    }
}
