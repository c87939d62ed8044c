using Exemplar.Torch;

namespace Exemplar.Vision.Transforms;

/// <summary>Per-channel statistics for <see cref="Normalize"/>, in [0, 1] pixel units.</summary>
/// <param name="Mean">Mean of each of the 3 channels (R, G, B).</param>
/// <param name="Std">Standard deviation of each channel (all positive).</param>
public sealed record NormalizeOptions(IReadOnlyList<double> Mean, IReadOnlyList<double> Std)
{
    /// <summary>ImageNet's channel means (0.485, 0.456, 0.406).</summary>
    public static IReadOnlyList<double> ImageNetMean { get; } = [0.485, 0.456, 0.406];

    /// <summary>ImageNet's channel standard deviations (0.229, 0.224, 0.225).</summary>
    public static IReadOnlyList<double> ImageNetStd { get; } = [0.229, 0.224, 0.225];

    /// <summary>The ImageNet statistics that torchvision and most pretrained backbones use.</summary>
    public static NormalizeOptions ImageNet { get; } = new(ImageNetMean, ImageNetStd);

    internal void Validate()
    {
        if (Mean is null || Std is null) throw new ArgumentException("NormalizeOptions: Mean and Std are required");
        if (Mean.Count != 3 || Std.Count != 3) throw new ArgumentException($"NormalizeOptions: need 3 means and 3 standard deviations, got {Mean.Count} and {Std.Count}");
        if (Std.Any(s => !(s > 0) || double.IsInfinity(s))) throw new ArgumentException($"NormalizeOptions: standard deviations must be positive and finite, got [{string.Join(", ", Std)}]");
        if (Mean.Any(m => !double.IsFinite(m))) throw new ArgumentException($"NormalizeOptions: means must be finite, got [{string.Join(", ", Mean)}]");
    }
}

/// <summary>
/// (x − mean) / std per channel, with x in [0, 1]: uint8 images are divided by 255 first, float32 images are taken
/// to be in [0, 1] already (as torchvision's <c>ToTensor</c> leaves them). The mask is left as it is.
/// </summary>
public sealed class Normalize : ISegmentationTransform
{
    /// <summary>A transform with <paramref name="options"/> (default ImageNet).</summary>
    public Normalize(NormalizeOptions? options = null)
    {
        Options = options ?? NormalizeOptions.ImageNet;
        Options.Validate();
    }

    /// <summary>The statistics.</summary>
    public NormalizeOptions Options { get; }

    /// <summary>Normalises the image to float32; the mask is passed on. Draws no random numbers.</summary>
    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return sample.With(Forward(sample.Image, Options), sample.Mask.Alias());
    }

    /// <summary>Normalises an image [3, H, W] or [N, 3, H, W] (uint8 or float32) → float32 of the same shape.</summary>
    public static Tensor Forward(Tensor image, NormalizeOptions options)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ImageTensors.CheckImage(image, nameof(image), allowBatch: true);
        using var scope = DisposeScope.Begin();
        var x = image.DType == DType.UInt8 ? image.To(DType.Float32) / 255.0 : image;
        var (mean, std) = ChannelTensors(options, image);
        return ((x - mean) / std).MoveToOuterScope();
    }

    /// <summary>Undoes <see cref="Forward"/>: x·std + mean → float32 image in [0, 1] (not clamped) of the same shape.</summary>
    public static Tensor Inverse(Tensor normalized, NormalizeOptions options)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ImageTensors.CheckImage(normalized, nameof(normalized), allowBatch: true);
        if (normalized.DType != DType.Float32) throw new ArgumentException($"Normalize.Inverse: expected a float32 normalised image, got {normalized.DType}", nameof(normalized));
        using var scope = DisposeScope.Begin();
        var (mean, std) = ChannelTensors(options, normalized);
        return (normalized * std + mean).MoveToOuterScope();
    }

    /// <summary>Undoes <see cref="Forward"/> back to a uint8 image: x·std + mean, times 255, rounded and clamped to [0, 255].</summary>
    public static Tensor InverseToUInt8(Tensor normalized, NormalizeOptions options)
    {
        using var scope = DisposeScope.Begin();
        var unit = Inverse(normalized, options);
        return ImageTensors.ToUInt8(unit * 255.0).MoveToOuterScope();
    }

    /// <summary>Mean and std as [3, 1, 1] float32 tensors on the image's device (they broadcast over [N, 3, H, W] too).</summary>
    private static (Tensor Mean, Tensor Std) ChannelTensors(NormalizeOptions options, Tensor like)
    {
        var device = like.Device;
        var mean = Tensor.From(options.Mean.Select(v => (float)v).ToArray(), 3, 1, 1);
        var std = Tensor.From(options.Std.Select(v => (float)v).ToArray(), 3, 1, 1);
        if (device.Type != DeviceType.Cpu)
        {
            mean = mean.To(device);
            std = std.To(device);
        }
        return (mean, std);
    }
}
