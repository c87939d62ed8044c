using Exemplar.Torch;

namespace Exemplar.Vision.Masks;

/// <summary>
/// A decoded segmentation mask: class ids per pixel plus which pixels are ignored (void). Disposing it disposes both
/// tensors.
/// </summary>
public sealed class LabelMap : IDisposable
{
    internal LabelMap(Tensor labels, Tensor ignore, long ignoreLabel, string source)
    {
        Labels = labels;
        Ignore = ignore;
        IgnoreLabel = ignoreLabel;
        Source = source;
    }

    /// <summary>Class ids, <c>[H, W]</c> int64; ignored pixels hold <see cref="IgnoreLabel"/>.</summary>
    public Tensor Labels { get; }

    /// <summary>
    /// <c>[H, W]</c> bool, true where the pixel is ignored: the file's ignore value, an unknown colour under
    /// <see cref="UnknownColorPolicy.Ignore"/>, or any id equal to <see cref="IgnoreLabel"/>.
    /// </summary>
    public Tensor Ignore { get; }

    /// <summary>The id written at ignored pixels (<see cref="MaskReadOptions.IgnoreLabel"/>, 255 by default).</summary>
    public long IgnoreLabel { get; }

    /// <summary>The file (or name) the mask came from.</summary>
    public string Source { get; }

    /// <summary>Height.</summary>
    public int Height => (int)Labels.Size(0);

    /// <summary>Width.</summary>
    public int Width => (int)Labels.Size(1);

    /// <summary>
    /// One boolean mask per class of a label map: labels [H, W] (or [N, H, W]) int64 → [classes, H, W] (or
    /// [N, classes, H, W]) where channel c is true for label c + 1 (label 0, the background, and any other value are false).
    /// </summary>
    public static Tensor ClassMasks(Tensor labels, long classes)
    {
        using var ids = Tensor.Arange(1, classes + 1, 1, DType.Int64).Reshape(classes, 1, 1);
        using var channels = labels.Unsqueeze(-3);
        return channels.Eq(ids);
    }

    /// <summary>A binary mask of one class: <c>[H, W]</c> uint8, 1 where the label is <paramref name="classId"/>.</summary>
    public Tensor BinaryMask(long classId)
    {
        using var equal = Labels.Eq(classId);
        return equal.To(DType.UInt8);
    }

    /// <summary>The class ids present, ascending, without the ignore label.</summary>
    public IReadOnlyList<long> ClassesPresent() =>
        Labels.ToArray<long>().Where(l => l != IgnoreLabel).Distinct().Order().ToArray();

    /// <summary>Disposes <see cref="Labels"/> and <see cref="Ignore"/>.</summary>
    public void Dispose()
    {
        Labels.Dispose();
        Ignore.Dispose();
    }
}

/// <summary>Options for <see cref="MaskDecoder"/>.</summary>
/// <param name="IgnoreLabel">
/// The id written at ignored pixels (default 255, PASCAL VOC's convention, so that one loss ignore index fits every
/// data set). A stored id equal to it is ignored too: use e.g. -1 for 16-bit masks whose ids reach 255.
/// </param>
/// <param name="MaxPixels">Largest mask accepted, checked from the header (default 40 megapixels).</param>
public sealed record MaskReadOptions(long IgnoreLabel = 255, long MaxPixels = IO.ImageReadOptions.DefaultMaxPixels)
{
    /// <summary>Ignore label 255, 40 megapixel limit.</summary>
    public static MaskReadOptions Default { get; } = new();
}
