using Exemplar.Torch;

namespace Exemplar.Vision.Transforms;

/// <summary>Options of <see cref="RandomRotate"/> (mmseg's <c>RandomRotate</c>: probability, angle range, fill values).</summary>
public sealed record RandomRotateOptions
{
    /// <summary>Probability of rotating at all.</summary>
    public double Probability { get; init; } = 0.5;

    /// <summary>Smallest angle in degrees (counter-clockwise positive).</summary>
    public double MinDegrees { get; init; } = -10;

    /// <summary>Largest angle in degrees.</summary>
    public double MaxDegrees { get; init; } = 10;

    /// <summary>Image filter: bilinear or bicubic (masks always use nearest).</summary>
    public GridSampleMode ImageInterpolation { get; init; } = GridSampleMode.Bilinear;

    /// <summary>Value of image pixels rotated in from outside (in the image's own units).</summary>
    public double ImageFill { get; init; }

    /// <summary>Label of mask pixels rotated in from outside (the ignore value).</summary>
    public long MaskIgnore { get; init; } = 255;

    internal void Validate()
    {
        if (Probability is < 0 or > 1 || double.IsNaN(Probability)) throw new ArgumentException($"RandomRotateOptions.Probability must be in [0, 1], got {Probability}");
        if (!double.IsFinite(MinDegrees) || !double.IsFinite(MaxDegrees) || MinDegrees > MaxDegrees) throw new ArgumentException($"RandomRotateOptions: need finite MinDegrees <= MaxDegrees, got {MinDegrees}, {MaxDegrees}");
        if (ImageInterpolation == GridSampleMode.Nearest) throw new ArgumentException("RandomRotateOptions.ImageInterpolation must be Bilinear or Bicubic");
    }
}

/// <summary>
/// Rotates image and mask by a random angle about the image centre, keeping the size: each output pixel samples the
/// input at its inversely rotated position (an affine grid with <see cref="Functional.GridSample"/>); the image is
/// interpolated, the mask takes the nearest label, and what comes from outside is filled (mask: ignore value).
/// </summary>
public sealed class RandomRotate : ISegmentationTransform
{
    /// <summary>A transform with <paramref name="options"/> (default: ±10° with probability 0.5).</summary>
    public RandomRotate(RandomRotateOptions? options = null)
    {
        Options = options ?? new RandomRotateOptions();
        Options.Validate();
    }

    /// <summary>The options.</summary>
    public RandomRotateOptions Options { get; }

    /// <summary>Draws the coin, then (when rotating) the angle ~ U(MinDegrees, MaxDegrees).</summary>
    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(random);
        if (!random.Chance(Options.Probability)) return sample.Alias();
        double degrees = random.Uniform(Options.MinDegrees, Options.MaxDegrees);
        return Rotate(sample, degrees, Options);
    }

    /// <summary>Rotates the sample counter-clockwise by <paramref name="degrees"/> about the centre ((W−1)/2, (H−1)/2).</summary>
    public static SegmentationSample Rotate(SegmentationSample sample, double degrees, RandomRotateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sample);
        options ??= new RandomRotateOptions();
        options.Validate();
        ImageTensors.CheckFillFits(sample.Mask.DType, options.MaskIgnore, "RandomRotateOptions.MaskIgnore");
        using var scope = DisposeScope.Begin();
        var grid = SourceGrid(sample.Height, sample.Width, degrees, sample.Image.Device);

        // Image: sample (x − fill) with zero padding, add fill back, so outside pixels become the fill value.
        var image = ImageTensors.ToFloat(sample.Image).Unsqueeze(0) - options.ImageFill;
        var rotated = Functional.GridSample(image, grid.To(DType.Float32), options.ImageInterpolation, GridSamplePadding.Zeros) + options.ImageFill;
        var outImage = ImageTensors.ToDType(rotated.Squeeze(0), sample.Image.DType).MoveToOuterScope();

        // Mask: labels + 1 in float64 (exact for any int64 label below 2^53), nearest; 0 marks the outside.
        var shifted = (sample.Mask.To(DType.Float64) + 1.0).Unsqueeze(0).Unsqueeze(0);
        var sampled = Functional.GridSample(shifted, grid, GridSampleMode.Nearest, GridSamplePadding.Zeros).Squeeze(0).Squeeze(0);
        var outside = sampled.Eq(0);
        var labels = (sampled - 1.0).MaskedFill(outside, options.MaskIgnore);
        var outMask = labels.To(sample.Mask.DType).MoveToOuterScope();
        return sample.With(outImage, outMask);
    }

    /// <summary>
    /// The grid [1, H, W, 2] (float64) of normalised (x, y) source positions: output pixel p reads the input at
    /// c + R(−θ)(p − c), in GridSample's align_corners=false coordinates (pixel i ↔ (2i + 1) / size − 1).
    /// </summary>
    private static Tensor SourceGrid(int height, int width, double degrees, Device device)
    {
        double theta = degrees * Math.PI / 180;
        double cos = Math.Cos(theta), sin = Math.Sin(theta);
        double cx = (width - 1) / 2.0, cy = (height - 1) / 2.0;
        var dx = (Tensor.Arange(0, width, 1, DType.Float64) - cx).Unsqueeze(0);   // [1, W]
        var dy = (Tensor.Arange(0, height, 1, DType.Float64) - cy).Unsqueeze(1);  // [H, 1]
        // With y pointing down, a counter-clockwise turn by θ maps (dx, dy) to (dx cos + dy sin, −dx sin + dy cos);
        // the source of an output offset is its inverse.
        var sx = dx * cos - dy * sin + cx;  // [H, W]
        var sy = dx * sin + dy * cos + cy;
        var gx = (sx * 2.0 + 1.0) / width - 1.0;
        var gy = (sy * 2.0 + 1.0) / height - 1.0;
        var grid = Tensor.Stack([gx, gy], dim: -1).Unsqueeze(0);
        return device.Type == DeviceType.Cpu ? grid : grid.To(device);
    }
}
