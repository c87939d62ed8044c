using Exemplar.Torch;

namespace Exemplar.Vision.Transforms;

/// <summary>
/// One image with its label map, as the transforms see it. The sample owns both tensors: <see cref="Dispose"/> frees
/// them. Transforms never change their input; they return a new sample whose tensors the caller owns.
/// </summary>
/// <remarks>
/// Pixel ranges: uint8 images hold [0, 255]; float32 images hold [0, 1] until <see cref="Normalize"/> is applied
/// (photometric transforms expect those ranges; geometric ones accept any float values).
/// </remarks>
public sealed record SegmentationSample : IDisposable
{
    /// <summary>Wraps an image and its mask, checking that they fit together.</summary>
    /// <param name="image">Image [3, H, W], uint8 or float32.</param>
    /// <param name="mask">Label map [H, W], int64 or uint8.</param>
    /// <param name="metadata">Where the sample came from and what was done to it, or null.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong rank, channel count or dtype, or the sizes differ.</exception>
    public SegmentationSample(Tensor image, Tensor mask, SampleMetadata? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(mask);
        ImageTensors.CheckImage(image, nameof(image));
        ImageTensors.CheckMask(mask, nameof(mask));
        long[] imageShape = image.Shape, maskShape = mask.Shape;
        if (imageShape[1] != maskShape[0] || imageShape[2] != maskShape[1])
        {
            throw new ArgumentException(
                $"SegmentationSample: the image is {imageShape[1]}x{imageShape[2]} but the mask is {maskShape[0]}x{maskShape[1]}; they must have the same height and width",
                nameof(mask));
        }
        Image = image;
        Mask = mask;
        Metadata = metadata;
    }

    /// <summary>Image [3, H, W], uint8 or float32.</summary>
    public Tensor Image { get; }

    /// <summary>Label map [H, W], int64 or uint8.</summary>
    public Tensor Mask { get; }

    /// <summary>Where the sample came from and what was done to it, or null.</summary>
    public SampleMetadata? Metadata { get; init; }

    /// <summary>Image height H.</summary>
    public int Height => (int)Mask.Size(0);

    /// <summary>Image width W.</summary>
    public int Width => (int)Mask.Size(1);

    /// <summary>A new sample with other tensors and the same metadata (the tensors become owned by the new sample).</summary>
    public SegmentationSample With(Tensor image, Tensor mask) => new(image, mask, Metadata);

    /// <summary>A sample with new handles to the same tensors (for transforms that leave a sample unchanged).</summary>
    public SegmentationSample Alias() => new(Image.Alias(), Mask.Alias(), Metadata);

    /// <summary>Frees the image and the mask.</summary>
    public void Dispose()
    {
        Image.Dispose();
        Mask.Dispose();
    }
}

/// <summary>Typed facts about a sample that transforms carry along.</summary>
public sealed record SampleMetadata
{
    /// <summary>Where the sample came from (a file path or a dataset id), or null.</summary>
    public string? SourceId { get; init; }

    /// <summary>The geometry of the last <see cref="ResizeLongestSidePad"/> applied, needed to undo it; null when none was.</summary>
    public ResizePadGeometry? ResizePad { get; init; }
}
