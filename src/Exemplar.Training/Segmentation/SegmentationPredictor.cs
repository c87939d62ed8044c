using Exemplar.Models;
using Exemplar.Models.Segmentation;
using Exemplar.Torch;
using Exemplar.Vision.Transforms;

namespace Exemplar.Training.Segmentation;

/// <summary>
/// Label maps of a model file's network for whole images at their own size, as <see cref="SegmentationValidator"/>
/// scores them: normalised with the file's statistics, resized to the nearest multiple of its size multiple, logits
/// resized back bilinearly, argmax.
/// </summary>
public sealed class SegmentationPredictor(SegmentationNetwork network, SegmentationModelInfo info)
{
    private readonly NormalizeOptions _normalize = new(info.Mean, info.Std);

    /// <summary>The description of the model.</summary>
    public SegmentationModelInfo Info => info;

    /// <summary>Class ids of an RGB image: [3, H, W] uint8 → [H, W] int64 in 0..C-1.</summary>
    /// <exception cref="ArgumentException">The image is not [3, H, W] uint8.</exception>
    public Tensor Predict(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Dim != 3 || image.Size(0) != 3 || image.DType != DType.UInt8)
            throw new ArgumentException($"expected an RGB image [3, H, W] uint8, got {image.DType} [{string.Join(", ", image.Shape)}]", nameof(image));
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        var input = Normalize.Forward(image, _normalize).Unsqueeze(0);
        var logits = Logits(network, input, info.SizeMultiple);
        return logits.Argmax(1).Squeeze(0).MoveToOuterScope();
    }

    /// <summary>
    /// Logits [N, C, H, W] of normalised images [N, 3, H, W] of any size: resized to the nearest multiple of
    /// <paramref name="multiple"/> (at least one multiple) for the network, then back.
    /// </summary>
    public static Tensor Logits(SegmentationNetwork network, Tensor images, int multiple)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(images);
        using var scope = DisposeScope.Begin();
        int height = (int)images.Size(2), width = (int)images.Size(3);
        int h = Preprocessing.RoundToMultiple(height, multiple), w = Preprocessing.RoundToMultiple(width, multiple);
        var input = h == height && w == width ? images : Functional.Interpolate(images, h, w, InterpolationMode.Bilinear);
        var logits = network.Forward(input);
        if (h != height || w != width) logits = Functional.Interpolate(logits, height, width, InterpolationMode.Bilinear);
        return logits.MoveToOuterScope();
    }
}
