using Exemplar.Torch;

namespace Exemplar.Vision.Datasets;

/// <summary>Options of <see cref="Ade20kDataset"/>.</summary>
public sealed record Ade20kOptions
{
    /// <summary>The split: "training" (default) or "validation"; "train" and "val" are accepted for them.</summary>
    public string Split { get; init; } = "training";
}

/// <summary>
/// ADE20K as released for the scene parsing challenge (ADEChallengeData2016): <c>images/{training,validation}/*.jpg</c>
/// with class-id masks <c>annotations/{split}/*.png</c> of the same name. Stored value 0 means "other" and is ignored;
/// values 1..150 are shifted down by one to class ids 0..149 (mmseg's <c>reduce_zero_label</c>).
/// </summary>
public sealed class Ade20kDataset : SegmentationDatasetBase
{
    /// <summary>The 150 class names, by (shifted) id, as the challenge's objectInfo150 lists them.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
    [
        "wall", "building", "sky", "floor", "tree", "ceiling", "road", "bed", "windowpane", "grass",
        "cabinet", "sidewalk", "person", "earth", "door", "table", "mountain", "plant", "curtain", "chair",
        "car", "water", "painting", "sofa", "shelf", "house", "sea", "mirror", "rug", "field",
        "armchair", "seat", "fence", "desk", "rock", "wardrobe", "lamp", "bathtub", "railing", "cushion",
        "base", "box", "column", "signboard", "chest of drawers", "counter", "sand", "sink", "skyscraper", "fireplace",
        "refrigerator", "grandstand", "path", "stairs", "runway", "case", "pool table", "pillow", "screen door", "stairway",
        "river", "bridge", "bookcase", "blind", "coffee table", "toilet", "flower", "book", "hill", "bench",
        "countertop", "stove", "palm", "kitchen island", "computer", "swivel chair", "boat", "bar", "arcade machine", "hovel",
        "bus", "towel", "light", "truck", "tower", "chandelier", "awning", "streetlight", "booth", "television receiver",
        "airplane", "dirt track", "apparel", "pole", "land", "bannister", "escalator", "ottoman", "bottle", "buffet",
        "poster", "stage", "van", "ship", "fountain", "conveyer belt", "canopy", "washer", "plaything", "swimming pool",
        "stool", "barrel", "basket", "waterfall", "tent", "bag", "minibike", "cradle", "oven", "ball",
        "food", "step", "tank", "trade name", "microwave", "pot", "animal", "bicycle", "lake", "dishwasher",
        "screen", "blanket", "sculpture", "hood", "sconce", "vase", "traffic light", "tray", "ashcan", "fan",
        "pier", "crt screen", "plate", "monitor", "bulletin board", "shower", "radiator", "glass", "clock", "flag",
    ];

    /// <summary>Opens split <see cref="Ade20kOptions.Split"/> of <paramref name="root"/> (ADEChallengeData2016 or its parent).</summary>
    /// <exception cref="DatasetLayoutException">The split's folders or a label file are missing, or there are no images.</exception>
    public Ade20kDataset(string root, Ade20kOptions? options = null) : this(List(root, options ?? new Ade20kOptions()))
    {
    }

    private Ade20kDataset((string Root, string Split, DatasetItem[] Items) listing)
        : base($"ADE20K ({listing.Split})", listing.Root, ClassNames.Select((n, i) => new DatasetClass(i, n)).ToArray(), listing.Items)
    {
        Split = listing.Split;
    }

    /// <summary>The split folder read ("training" or "validation").</summary>
    public string Split { get; }

    /// <inheritdoc/>
    protected override Tensor LoadLabels(int index, DatasetItem item)
    {
        using var stored = DatasetMasks.ClassIds(item.MaskPath!, null, IgnoreLabel);
        return DatasetMasks.Remap(stored, Shifted, IgnoreLabel);
    }

    /// <summary>Stored value v → v − 1, with 0 (and anything past 150) ignored.</summary>
    private static readonly long[] Shifted = [255, .. Enumerable.Range(0, 150).Select(i => (long)i)];

    private static (string, string, DatasetItem[]) List(string root, Ade20kOptions options)
    {
        root = DatasetFiles.RequireRoot(root, "ADE20K");
        // The archive unpacks to ADEChallengeData2016/; accept the folder above it too.
        if (!Directory.Exists(Path.Combine(root, "images")) && Directory.Exists(Path.Combine(root, "ADEChallengeData2016"))) root = Path.Combine(root, "ADEChallengeData2016");
        string split = options.Split switch { "train" => "training", "val" => "validation", _ => options.Split };
        string images = DatasetFiles.RequireFolder(Path.Combine(root, "images", split), $"images/{split}/*.jpg");
        string labels = DatasetFiles.RequireFolder(Path.Combine(root, "annotations", split), $"annotations/{split}/*.png");
        var items = DatasetFiles.List(images, DatasetFiles.ImageExtensions)
            .Select(image =>
            {
                string stem = Path.GetFileNameWithoutExtension(image);
                return new DatasetItem($"{split}/{stem}", image, DatasetFiles.Partner(labels, stem, [".png"], image, "annotation file"));
            })
            .ToArray();
        return (root, split, items);
    }
}
