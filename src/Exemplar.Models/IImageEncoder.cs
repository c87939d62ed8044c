using Exemplar.Torch;
using Exemplar.Vision.Transforms;

namespace Exemplar.Models;

/// <summary>One feature map of an encoder: NCHW features and how many input pixels one feature cell spans.</summary>
/// <param name="Features">[N, C, H / stride, W / stride].</param>
/// <param name="Stride">Input pixels per feature cell.</param>
/// <param name="Name">Which stage or block produced it (e.g. "blocks.11", "features.13").</param>
public sealed record FeatureMap(Tensor Features, int Stride, string Name) : IDisposable
{
    /// <summary>Frees the features.</summary>
    public void Dispose() => Features.Dispose();
}

/// <summary>What an encoder expects of its input images.</summary>
/// <param name="Mean">Per-channel mean of RGB in [0, 1] (subtracted after scaling by 1/255).</param>
/// <param name="Std">Per-channel standard deviation.</param>
/// <param name="SizeMultiple">Input height and width must be multiples of this (the patch size or total stride).</param>
/// <param name="DefaultSize">The input side the encoder was trained at.</param>
public sealed record Preprocessing(double[] Mean, double[] Std, int SizeMultiple, int DefaultSize)
{
    /// <summary>
    /// ImageNet statistics (<see cref="NormalizeOptions.ImageNet"/>, as DINOv2, MobileNetV2 and ResNet use) with the
    /// given size constraints.
    /// </summary>
    public static Preprocessing ImageNet(int sizeMultiple, int defaultSize) =>
        new([.. NormalizeOptions.ImageNetMean], [.. NormalizeOptions.ImageNetStd], sizeMultiple, defaultSize);

    /// <summary>The multiple of <paramref name="multiple"/> nearest to <paramref name="side"/> (halves away from zero), at least one multiple.</summary>
    public static int RoundToMultiple(int side, int multiple) =>
        Math.Max(multiple, (int)Math.Round((double)side / multiple, MidpointRounding.AwayFromZero) * multiple);
}

/// <summary>
/// An image encoder in timm's shape: <see cref="ForwardFeatures"/> for the final map and
/// <see cref="ForwardIntermediates"/> for several levels, always as NCHW maps with their strides.
/// </summary>
public interface IImageEncoder : IDisposable
{
    /// <summary>How input images must be prepared.</summary>
    Preprocessing Preprocessing { get; }

    /// <summary>Channels of the final feature map.</summary>
    long FeatureChannels { get; }

    /// <summary>Number of levels <see cref="ForwardIntermediates"/> can return (blocks or stages), indexed from 0.</summary>
    int LevelCount { get; }

    /// <summary>The final feature map: image [N, 3, H, W] normalised float → [N, C, H/s, W/s].</summary>
    FeatureMap ForwardFeatures(Tensor image);

    /// <summary>Feature maps after the given levels (negative counts from the end), in the order asked.</summary>
    IReadOnlyList<FeatureMap> ForwardIntermediates(Tensor image, IReadOnlyList<int> levels);
}
