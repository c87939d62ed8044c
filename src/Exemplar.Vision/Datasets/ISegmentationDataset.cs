using Exemplar.Torch;
using Exemplar.Vision.Transforms;

namespace Exemplar.Vision.Datasets;

/// <summary>
/// A segmentation data set on disk: a fixed list of items (image file + mask file or annotations), listed when the
/// data set is opened and decoded only when <see cref="Load"/> is called. Every loader in this namespace implements it.
/// </summary>
/// <remarks>
/// Label maps use the class ids of <see cref="Classes"/>; pixels that must not be scored (void, outside the field of
/// view, boundaries) hold <see cref="IgnoreLabel"/>. Implementations are safe to <see cref="Load"/> from several
/// threads at once (the <see cref="DataLoader"/> does).
/// </remarks>
public interface ISegmentationDataset
{
    /// <summary>A human-readable name, e.g. "CamVid (train)".</summary>
    string Name { get; }

    /// <summary>The folder the data set was opened from.</summary>
    string Root { get; }

    /// <summary>Number of items.</summary>
    int Count { get; }

    /// <summary>The classes a label map can hold (not the ignore label), ascending by id.</summary>
    IReadOnlyList<DatasetClass> Classes { get; }

    /// <summary>The label written at ignored pixels (255 unless a data set needs its values, e.g. LVIS: -1).</summary>
    long IgnoreLabel { get; }

    /// <summary>The items, in the data set's fixed order (their index is what <see cref="Load"/> takes).</summary>
    IReadOnlyList<DatasetItem> Items { get; }

    /// <summary>
    /// Decodes item <paramref name="index"/>: image [3, H, W] uint8 RGB (as stored: EXIF orientation is not applied, so
    /// pixels stay aligned with the masks) and mask [H, W] int64 label map. The caller owns (disposes) the sample.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside 0..Count-1.</exception>
    /// <exception cref="ImageFormatException">A file is unreadable, or the mask's size differs from the image's (the message names the file).</exception>
    /// <exception cref="FileNotFoundException">A file listed when the data set was opened has gone.</exception>
    SegmentationSample Load(int index);

    /// <summary>
    /// Decodes only the label map of item <paramref name="index"/>, [H, W] int64 (no image, no size check): what class
    /// statistics and episode building need. The caller owns the tensor.
    /// </summary>
    Tensor LoadLabelMap(int index);
}
