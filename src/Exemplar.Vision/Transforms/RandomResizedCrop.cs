using Exemplar.Torch;

namespace Exemplar.Vision.Transforms;

/// <summary>Options of <see cref="RandomResizedCrop"/> (torchvision's defaults).</summary>
/// <param name="Height">Output height.</param>
/// <param name="Width">Output width.</param>
public sealed record RandomResizedCropOptions(int Height, int Width)
{
    /// <summary>Smallest crop area as a fraction of the image area.</summary>
    public double MinScale { get; init; } = 0.08;

    /// <summary>Largest crop area as a fraction of the image area.</summary>
    public double MaxScale { get; init; } = 1.0;

    /// <summary>Smallest aspect ratio (width / height) of the crop.</summary>
    public double MinRatio { get; init; } = 3.0 / 4.0;

    /// <summary>Largest aspect ratio (width / height) of the crop.</summary>
    public double MaxRatio { get; init; } = 4.0 / 3.0;

    /// <summary>Image filter: bilinear or bicubic (masks always use nearest).</summary>
    public InterpolationMode ImageInterpolation { get; init; } = InterpolationMode.Bilinear;

    /// <summary>Low-pass before shrinking (torchvision's default).</summary>
    public bool Antialias { get; init; } = true;

    internal void Validate()
    {
        if (Height < 1 || Width < 1) throw new ArgumentException($"RandomResizedCropOptions: output size must be positive, got {Height}x{Width}");
        if (!(MinScale > 0) || !(MaxScale >= MinScale)) throw new ArgumentException($"RandomResizedCropOptions: need 0 < MinScale <= MaxScale, got {MinScale}, {MaxScale}");
        if (!(MinRatio > 0) || !(MaxRatio >= MinRatio)) throw new ArgumentException($"RandomResizedCropOptions: need 0 < MinRatio <= MaxRatio, got {MinRatio}, {MaxRatio}");
        if (ImageInterpolation is not (InterpolationMode.Bilinear or InterpolationMode.Bicubic)) throw new ArgumentException($"RandomResizedCropOptions.ImageInterpolation must be Bilinear or Bicubic, got {ImageInterpolation}");
    }
}

/// <summary>A crop window: rows [Top, Top + Height), columns [Left, Left + Width).</summary>
/// <param name="Top">First row.</param>
/// <param name="Left">First column.</param>
/// <param name="Height">Number of rows.</param>
/// <param name="Width">Number of columns.</param>
public readonly record struct CropBox(int Top, int Left, int Height, int Width);

/// <summary>
/// Crops a random window (area fraction and aspect ratio drawn from ranges) and resizes it to a fixed size, with
/// torchvision's <c>RandomResizedCrop</c> algorithm: up to 10 attempts, then a centre crop as the fallback.
/// </summary>
public sealed class RandomResizedCrop : ISegmentationTransform
{
    private const int Attempts = 10;

    /// <summary>A transform with <paramref name="options"/>.</summary>
    public RandomResizedCrop(RandomResizedCropOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The options.</summary>
    public RandomResizedCropOptions Options { get; }

    /// <inheritdoc/>
    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(random);
        var box = SampleBox(sample.Height, sample.Width, Options, random);
        return CropAndResize(sample, box, Options.Height, Options.Width, Options.ImageInterpolation, Options.Antialias);
    }

    /// <summary>
    /// Draws a crop window for an H x W image: per attempt, an area fraction s ~ U(MinScale, MaxScale) and
    /// log(ratio) ~ U(log MinRatio, log MaxRatio); w = round(√(s·H·W·ratio)), h = round(√(s·H·W / ratio)) (half to even,
    /// as Python's round); accepted when 0 &lt; w ≤ W and 0 &lt; h ≤ H, with top ~ U{0..H−h}, left ~ U{0..W−w}. After 10
    /// failures: the largest centred window whose ratio is clamped to the range.
    /// </summary>
    public static CropBox SampleBox(int height, int width, RandomResizedCropOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        double area = (double)height * width;
        double logMin = Math.Log(options.MinRatio), logMax = Math.Log(options.MaxRatio);
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            double targetArea = area * random.Uniform(options.MinScale, options.MaxScale);
            double ratio = Math.Exp(random.Uniform(logMin, logMax));
            int w = (int)Math.Round(Math.Sqrt(targetArea * ratio), MidpointRounding.ToEven);
            int h = (int)Math.Round(Math.Sqrt(targetArea / ratio), MidpointRounding.ToEven);
            if (w > 0 && w <= width && h > 0 && h <= height)
            {
                int top = random.Next(0, height - h + 1);
                int left = random.Next(0, width - w + 1);
                return new CropBox(top, left, h, w);
            }
        }
        return CentreFallback(height, width, options.MinRatio, options.MaxRatio);
    }

    /// <summary>torchvision's fallback: the whole image, narrowed to the nearest allowed aspect ratio, centred.</summary>
    internal static CropBox CentreFallback(int height, int width, double minRatio, double maxRatio)
    {
        double inRatio = (double)width / height;
        int w = width, h = height;
        if (inRatio < minRatio)
        {
            h = (int)Math.Round(w / minRatio, MidpointRounding.ToEven);
        }
        else if (inRatio > maxRatio)
        {
            w = (int)Math.Round(h * maxRatio, MidpointRounding.ToEven);
        }
        return new CropBox((height - h) / 2, (width - w) / 2, h, w);
    }

    /// <summary>Crops <paramref name="box"/> from image and mask and resizes both to height x width (mask with nearest).</summary>
    public static SegmentationSample CropAndResize(SegmentationSample sample, CropBox box, int height, int width,
        InterpolationMode imageInterpolation = InterpolationMode.Bilinear, bool antialias = true)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (box.Top < 0 || box.Left < 0 || box.Height < 1 || box.Width < 1 || box.Top + box.Height > sample.Height || box.Left + box.Width > sample.Width)
        {
            throw new ArgumentException($"RandomResizedCrop: crop {box} does not fit in a {sample.Height}x{sample.Width} sample", nameof(box));
        }
        using var scope = DisposeScope.Begin();
        var image = sample.Image.Narrow(1, box.Top, box.Height).Narrow(2, box.Left, box.Width);
        var mask = sample.Mask.Narrow(0, box.Top, box.Height).Narrow(1, box.Left, box.Width);
        var resizedImage = ImageTensors.ResizeImage(image, height, width, imageInterpolation, antialias).MoveToOuterScope();
        var resizedMask = ImageTensors.ResizeMask(mask, height, width).MoveToOuterScope();
        return sample.With(resizedImage, resizedMask);
    }
}
