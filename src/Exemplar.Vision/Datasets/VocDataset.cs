using Exemplar.Torch;
using Exemplar.Vision.Masks;

namespace Exemplar.Vision.Datasets;

/// <summary>Options of <see cref="VocDataset"/>.</summary>
public sealed record VocOptions
{
    /// <summary>The image-set name: <c>ImageSets/Segmentation/&lt;Split&gt;.txt</c> lists the items ("train" (default), "val", "trainval").</summary>
    public string Split { get; init; } = "train";

    /// <summary>
    /// The mask folder: "SegmentationClass" (default, palette PNGs) or "SegmentationClassAug" (the SBD-augmented gray
    /// PNGs few-shot papers use); both store class ids with 255 = void.
    /// </summary>
    public string MaskFolder { get; init; } = "SegmentationClass";

    /// <summary>An explicit image-set file instead of <see cref="Split"/>'s (e.g. SBD's <c>train_aug.txt</c>).</summary>
    public string? SplitFile { get; init; }
}

/// <summary>
/// PASCAL VOC 2012 segmentation (Everingham et al.): images <c>JPEGImages/&lt;id&gt;.jpg</c>, class masks
/// <c>SegmentationClass/&lt;id&gt;.png</c> read as palette indices (0 background, 1..20 the classes, 255 void → ignore)
/// and the item lists <c>ImageSets/Segmentation/{train,val}.txt</c>. Items are in list order.
/// </summary>
public sealed class VocDataset : SegmentationDatasetBase
{
    /// <summary>The 21 class names, by id.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
    [
        "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
        "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
    ];

    /// <summary>Opens the VOC folder <paramref name="root"/> (the one holding <c>JPEGImages</c>, e.g. <c>VOCdevkit/VOC2012</c>).</summary>
    /// <exception cref="DatasetLayoutException">The list file, an image or a mask is missing, or the list is empty.</exception>
    public VocDataset(string root, VocOptions? options = null) : this(List(root, options ?? new VocOptions()))
    {
    }

    private VocDataset((string Root, VocOptions Options, DatasetItem[] Items) listing)
        : base($"PASCAL VOC ({listing.Options.Split})", listing.Root, ClassNames.Select((n, i) => new DatasetClass(i, n)).ToArray(), listing.Items)
    {
        Options = listing.Options;
    }

    /// <summary>The options the data set was opened with.</summary>
    public VocOptions Options { get; }

    /// <inheritdoc/>
    protected override Tensor LoadLabels(int index, DatasetItem item)
    {
        var labels = DatasetMasks.Decode(item.MaskPath!, MaskEncodings.Voc, IgnoreLabel);
        using var valid = labels.Lt(ClassNames.Count);
        using var ignored = labels.Eq(IgnoreLabel);
        using var known = valid | ignored;
        using var all = known.All();
        if (!all.Item<bool>())
        {
            labels.Dispose();
            throw new ImageFormatException(item.MaskPath!, $"holds a class id between {ClassNames.Count} and 254; VOC masks hold 0..20 and 255 (void)");
        }
        return labels;
    }

    /// <summary>The ids of an image-set file: the first word of each non-blank line.</summary>
    public static IReadOnlyList<string> ReadImageSet(string path)
    {
        DatasetFiles.RequireFile(path, "a VOC image-set file (one image id per line)");
        return File.ReadAllLines(path)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0)
            .Select(l => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0])
            .ToArray();
    }

    private static (string, VocOptions, DatasetItem[]) List(string root, VocOptions options)
    {
        root = DatasetFiles.RequireRoot(root, "PASCAL VOC");
        string images = DatasetFiles.RequireFolder(Path.Combine(root, "JPEGImages"), "JPEGImages/<id>.jpg");
        string masks = DatasetFiles.RequireFolder(Path.Combine(root, options.MaskFolder), $"{options.MaskFolder}/<id>.png");
        string list = options.SplitFile ?? Path.Combine(root, "ImageSets", "Segmentation", options.Split + ".txt");
        var items = ReadImageSet(list).Select(id =>
        {
            string image = DatasetFiles.FindByStem(images, id, [".jpg", ".jpeg", ".png"])
                ?? throw new DatasetLayoutException(Path.Combine(images, id + ".jpg"), $"image '{id}' (listed in {list}) not found");
            return new DatasetItem(id, image, DatasetFiles.Partner(masks, id, [".png"], image, "mask"));
        }).ToArray();
        if (items.Length == 0) throw new DatasetLayoutException(list, "the image set lists no images");
        return (root, options, items);
    }
}
