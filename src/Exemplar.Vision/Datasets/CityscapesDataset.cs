using Exemplar.Torch;

namespace Exemplar.Vision.Datasets;

/// <summary>Options of <see cref="CityscapesDataset"/>.</summary>
public sealed record CityscapesOptions
{
    /// <summary>The split: "train" (default), "val" or "test".</summary>
    public string Split { get; init; } = "train";
}

/// <summary>
/// Cityscapes (Cordts et al., 2016) fine annotations: <c>leftImg8bit/{split}/{city}/*_leftImg8bit.png</c> with
/// <c>gtFine/{split}/{city}/*_gtFine_labelIds.png</c>. The 34 stored label ids are mapped to the 19 evaluated train
/// ids of the official labels table (road 0 … bicycle 18); every other id (void, ego vehicle, parking, rail track,
/// guard rail, bridge, tunnel, pole group, caravan, trailer, license plate) becomes the ignore label 255.
/// </summary>
public sealed class CityscapesDataset : SegmentationDatasetBase
{
    private const string ImageSuffix = "_leftImg8bit";
    private const string LabelSuffix = "_gtFine_labelIds.png";

    /// <summary>The 19 train-id class names, by id.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
    [
        "road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign", "vegetation", "terrain",
        "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle", "bicycle",
    ];

    /// <summary>Train id of each label id 0..33 (the official table; 255: not evaluated).</summary>
    public static IReadOnlyList<long> TrainIds { get; } =
    [
        255, 255, 255, 255, 255, 255, 255, 0, 1, 255, 255, 2, 3, 4, 255, 255, 255, 5, 255, 6,
        7, 8, 9, 10, 11, 12, 13, 14, 15, 255, 255, 16, 17, 18,
    ];

    /// <summary>Opens split <see cref="CityscapesOptions.Split"/> of the Cityscapes folder <paramref name="root"/>.</summary>
    /// <exception cref="DatasetLayoutException">The split's folders or a label file are missing, or there are no images.</exception>
    public CityscapesDataset(string root, CityscapesOptions? options = null) : this(List(root, options ?? new CityscapesOptions()))
    {
    }

    private CityscapesDataset((string Root, CityscapesOptions Options, DatasetItem[] Items) listing)
        : base($"Cityscapes ({listing.Options.Split})", listing.Root, ClassNames.Select((n, i) => new DatasetClass(i, n)).ToArray(), listing.Items)
    {
        Options = listing.Options;
    }

    /// <summary>The options the data set was opened with.</summary>
    public CityscapesOptions Options { get; }

    /// <inheritdoc/>
    protected override Tensor LoadLabels(int index, DatasetItem item)
    {
        using var ids = DatasetMasks.ClassIds(item.MaskPath!, null, IgnoreLabel);
        return DatasetMasks.Remap(ids, TrainIds, IgnoreLabel);
    }

    private static (string, CityscapesOptions, DatasetItem[]) List(string root, CityscapesOptions options)
    {
        root = DatasetFiles.RequireRoot(root, "Cityscapes");
        string images = DatasetFiles.RequireFolder(Path.Combine(root, "leftImg8bit", options.Split), $"leftImg8bit/{options.Split}/<city>/*{ImageSuffix}.png");
        string labels = DatasetFiles.RequireFolder(Path.Combine(root, "gtFine", options.Split), $"gtFine/{options.Split}/<city>/*{LabelSuffix}");
        var items = new List<DatasetItem>();
        foreach (string city in DatasetFiles.Folders(images))
        {
            string name = Path.GetFileName(city);
            foreach (string image in DatasetFiles.List(city, [".png"]))
            {
                string stem = Path.GetFileNameWithoutExtension(image);
                if (!stem.EndsWith(ImageSuffix, StringComparison.Ordinal)) continue;
                string frame = stem[..^ImageSuffix.Length];
                string label = Path.Combine(labels, name, frame + LabelSuffix);
                if (!File.Exists(label)) throw new DatasetLayoutException(label, $"label file of {image} not found");
                items.Add(new DatasetItem($"{options.Split}/{name}/{frame}", image, label));
            }
        }
        return (root, options, [.. items]);
    }
}
