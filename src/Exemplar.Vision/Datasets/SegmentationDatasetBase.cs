using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Masks;
using Exemplar.Vision.Transforms;

namespace Exemplar.Vision.Datasets;

/// <summary>
/// The common part of the loaders: a fixed item list, image decoding, the image/mask size check and tensor ownership.
/// A loader lists its items in its constructor and decodes one label map in <see cref="LoadLabels"/>.
/// </summary>
public abstract class SegmentationDatasetBase : ISegmentationDataset
{
    /// <summary>How dataset images are decoded: RGB, EXIF orientation not applied (masks are aligned with the stored pixels, as PIL reads them).</summary>
    public static ImageReadOptions ImageOptions { get; } = new(Channels: ImageChannels.Rgb, ApplyExifOrientation: false);

    /// <summary>Sets up the data set; an empty <paramref name="items"/> list is an error naming <paramref name="root"/>.</summary>
    /// <exception cref="DatasetLayoutException">There are no items.</exception>
    protected SegmentationDatasetBase(string name, string root, IReadOnlyList<DatasetClass> classes, IReadOnlyList<DatasetItem> items, long ignoreLabel = 255)
    {
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) throw new DatasetLayoutException(root, $"{name}: no items found (is this the right folder?)");
        if (classes.Any(c => c.Id == ignoreLabel))
        {
            throw new ArgumentException($"{name}: class id {ignoreLabel} is also the ignore label; choose another ignore label", nameof(ignoreLabel));
        }
        Name = name;
        Root = root;
        Classes = classes.OrderBy(c => c.Id).ToArray();
        Items = items;
        IgnoreLabel = ignoreLabel;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public string Root { get; }

    /// <inheritdoc/>
    public int Count => Items.Count;

    /// <inheritdoc/>
    public IReadOnlyList<DatasetClass> Classes { get; }

    /// <inheritdoc/>
    public long IgnoreLabel { get; }

    /// <inheritdoc/>
    public IReadOnlyList<DatasetItem> Items { get; }

    /// <inheritdoc/>
    public SegmentationSample Load(int index)
    {
        var item = ItemAt(index);
        var image = LoadImage(index, item);
        Tensor? labels = null;
        try
        {
            labels = LoadLabels(index, item);
            CheckLabels(labels, image, item);
            return new SegmentationSample(image, labels, new SampleMetadata { SourceId = item.ImagePath });
        }
        catch
        {
            image.Dispose();
            labels?.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public Tensor LoadLabelMap(int index) => LoadLabels(index, ItemAt(index));

    /// <summary>The item at <paramref name="index"/>, with a clear error when out of range.</summary>
    protected DatasetItem ItemAt(int index)
    {
        if ((uint)index >= (uint)Items.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{Name} has {Items.Count} items (0..{Items.Count - 1})");
        }
        return Items[index];
    }

    /// <summary>Decodes the image of an item: [3, H, W] uint8.</summary>
    protected virtual Tensor LoadImage(int index, DatasetItem item) => ImageReader.ReadTensor(item.ImagePath, ImageOptions);

    /// <summary>Decodes the label map of an item: [H, W] int64, ignored pixels at <see cref="IgnoreLabel"/>.</summary>
    protected abstract Tensor LoadLabels(int index, DatasetItem item);

    /// <summary>Checks the label map's shape against the image's and names both files when they differ.</summary>
    private void CheckLabels(Tensor labels, Tensor image, DatasetItem item)
    {
        if (labels.DType != DType.Int64 || labels.Dim != 2)
        {
            throw new InvalidOperationException($"{Name}: the loader returned a {labels.DType} [{string.Join(", ", labels.Shape)}] label map for {item.Id}; expected [H, W] int64");
        }
        MaskValidation.EnsureSameSize(image, labels, item.ImagePath, item.MaskPath ?? $"the annotations of {item.Id}");
    }
}
