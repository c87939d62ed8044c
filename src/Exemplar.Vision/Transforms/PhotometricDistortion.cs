using Exemplar.Torch;

namespace Exemplar.Vision.Transforms;

/// <summary>Options of <see cref="PhotometricDistortion"/> (mmseg's defaults).</summary>
public sealed record PhotometricDistortionOptions
{
    /// <summary>Brightness offset range ±delta, in uint8 units (scaled to 1/255 of it for float images).</summary>
    public double BrightnessDelta { get; init; } = 32;

    /// <summary>Smallest contrast factor.</summary>
    public double MinContrast { get; init; } = 0.5;

    /// <summary>Largest contrast factor.</summary>
    public double MaxContrast { get; init; } = 1.5;

    /// <summary>Smallest saturation factor.</summary>
    public double MinSaturation { get; init; } = 0.5;

    /// <summary>Largest saturation factor.</summary>
    public double MaxSaturation { get; init; } = 1.5;

    /// <summary>Hue shift range ±delta in OpenCV's 8-bit hue units (180 per turn, so 18 is ±36°); the shift is an integer.</summary>
    public int HueDelta { get; init; } = 18;

    /// <summary>Probability of applying each of the four distortions (mmseg: a fair coin each).</summary>
    public double Probability { get; init; } = 0.5;

    internal void Validate()
    {
        if (!(BrightnessDelta >= 0) || double.IsInfinity(BrightnessDelta)) throw new ArgumentException($"PhotometricDistortionOptions.BrightnessDelta must be >= 0, got {BrightnessDelta}");
        if (!(MinContrast >= 0) || !(MaxContrast >= MinContrast)) throw new ArgumentException($"PhotometricDistortionOptions: need 0 <= MinContrast <= MaxContrast, got {MinContrast}, {MaxContrast}");
        if (!(MinSaturation >= 0) || !(MaxSaturation >= MinSaturation)) throw new ArgumentException($"PhotometricDistortionOptions: need 0 <= MinSaturation <= MaxSaturation, got {MinSaturation}, {MaxSaturation}");
        if (HueDelta is < 0 or > 180) throw new ArgumentException($"PhotometricDistortionOptions.HueDelta must be in [0, 180], got {HueDelta}");
        if (Probability is < 0 or > 1 || double.IsNaN(Probability)) throw new ArgumentException($"PhotometricDistortionOptions.Probability must be in [0, 1], got {Probability}");
    }
}

/// <summary>
/// mmseg's <c>PhotoMetricDistortion</c>: random brightness, then — in a random order, contrast first or last —
/// contrast, saturation and hue, each applied with its own coin. Brightness adds δ ~ U(−32, 32), contrast multiplies by
/// α ~ U(0.5, 1.5), both clipped to the pixel range; saturation multiplies HSV's S by α (clipped to [0, 1]); hue adds an
/// integer k ~ U{−18..18} in 1/180 turns (modulo a turn). The mask is left as it is.
/// </summary>
/// <remarks>
/// Draw order (one <see cref="Random"/> stream): brightness coin [, δ]; order coin; then the three colour steps in
/// their order, each as coin [, value]. Works on uint8 [0, 255] and float32 [0, 1] images (apply it before
/// <see cref="Normalize"/>). For uint8 images each brightness/contrast step truncates to an integer as mmseg's
/// <c>astype(np.uint8)</c> does, and each HSV step rounds; the HSV round trip itself is done in float, not in
/// OpenCV's 8-bit HSV, so results can differ from mmseg's by a grey level. mmseg draws the hue shift with NumPy's
/// exclusive upper bound (−18..17); here the range is symmetric (−18..18).
/// </remarks>
public sealed class PhotometricDistortion : ISegmentationTransform
{
    /// <summary>A transform with <paramref name="options"/> (default mmseg's).</summary>
    public PhotometricDistortion(PhotometricDistortionOptions? options = null)
    {
        Options = options ?? new PhotometricDistortionOptions();
        Options.Validate();
    }

    /// <summary>The options.</summary>
    public PhotometricDistortionOptions Options { get; }

    /// <inheritdoc/>
    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(random);
        return sample.With(Distort(sample.Image, random), sample.Mask.Alias());
    }

    /// <summary>Distorts an image [3, H, W] (uint8 or float32) into a new one of the same dtype.</summary>
    public Tensor Distort(Tensor image, Random random)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        ImageTensors.CheckImage(image, nameof(image));
        bool integer = image.DType == DType.UInt8;
        double max = ImageTensors.MaxValue(image);
        using var scope = DisposeScope.Begin();
        var x = ImageTensors.ToFloat(image);

        if (random.Chance(Options.Probability))
        {
            double delta = random.Uniform(-Options.BrightnessDelta, Options.BrightnessDelta) * max / 255.0;
            x = Clip(x + delta, max, integer);
        }
        bool contrastFirst = random.Next(2) == 1;
        if (contrastFirst) x = Contrast(x, random, max, integer);
        if (random.Chance(Options.Probability))
        {
            double alpha = random.Uniform(Options.MinSaturation, Options.MaxSaturation);
            x = InHsv(x, max, integer, hsv => (hsv.Select(0, 0), (hsv.Select(0, 1) * alpha).Clamp(0, 1)));
        }
        if (random.Chance(Options.Probability))
        {
            int shift = random.Next(-Options.HueDelta, Options.HueDelta + 1);
            x = InHsv(x, max, integer, hsv => ((hsv.Select(0, 0) + shift / 180.0).Remainder(1.0), hsv.Select(0, 1)));
        }
        if (!contrastFirst) x = Contrast(x, random, max, integer);
        return ImageTensors.ToDType(x, image.DType).MoveToOuterScope();
    }

    private Tensor Contrast(Tensor image, Random random, double max, bool integer)
    {
        if (!random.Chance(Options.Probability)) return image;
        double alpha = random.Uniform(Options.MinContrast, Options.MaxContrast);
        return Clip(image * alpha, max, integer);
    }

    /// <summary>Clips to [0, max]; for uint8 sources also truncates to an integer, as mmseg's convert does.</summary>
    private static Tensor Clip(Tensor image, double max, bool integer)
    {
        var clipped = image.Clamp(0, max);
        return integer ? clipped.Floor() : clipped;
    }

    /// <summary>Converts to HSV, replaces hue and saturation with what <paramref name="edit"/> returns, and converts back.</summary>
    private static Tensor InHsv(Tensor image, double max, bool integer, Func<Tensor, (Tensor Hue, Tensor Saturation)> edit)
    {
        var hsv = ColorSpace.RgbToHsv(image / max);
        var (hue, saturation) = edit(hsv);
        var rgb = ColorSpace.HsvToRgb(Tensor.Stack([hue, saturation, hsv.Select(0, 2)], 0)) * max;
        var clipped = rgb.Clamp(0, max);
        return integer ? clipped.Round() : clipped;
    }
}
