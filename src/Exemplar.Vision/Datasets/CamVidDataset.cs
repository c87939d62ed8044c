using Exemplar.Torch;
using Exemplar.Vision.Masks;

namespace Exemplar.Vision.Datasets;

/// <summary>Options of <see cref="CamVidDataset"/>.</summary>
public sealed record CamVidOptions
{
    /// <summary>The split folder: "train" (default), "val" or "test".</summary>
    public string Split { get; init; } = "train";
}

/// <summary>
/// CamVid (Brostow et al., 2009) as prepared for SegNet: <c>&lt;split&gt;/images/*.jpg|png</c> with gray class-id
/// masks <c>&lt;split&gt;/labels/*.png</c> of the same name. 11 classes (0 sky … 10 bicyclist); the stored value 11
/// (void) becomes the ignore label.
/// </summary>
public sealed class CamVidDataset : SegmentationDatasetBase
{
    /// <summary>The 11 class names, by id.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["sky", "building", "pole", "road", "pavement", "tree", "sign-symbol", "fence", "car", "pedestrian", "bicyclist"];

    /// <summary>Opens split <see cref="CamVidOptions.Split"/> of the CamVid folder <paramref name="root"/>.</summary>
    /// <exception cref="DatasetLayoutException">The split's folders or a label file are missing, or there are no images.</exception>
    public CamVidDataset(string root, CamVidOptions? options = null) : this(List(root, options ?? new CamVidOptions()))
    {
    }

    private CamVidDataset((string Root, CamVidOptions Options, DatasetItem[] Items) listing)
        : base($"CamVid ({listing.Options.Split})", listing.Root, ClassNames.Select((n, i) => new DatasetClass(i, n)).ToArray(), listing.Items)
    {
        Options = listing.Options;
    }

    /// <summary>The options the data set was opened with.</summary>
    public CamVidOptions Options { get; }

    /// <inheritdoc/>
    protected override Tensor LoadLabels(int index, DatasetItem item) => DatasetMasks.Decode(item.MaskPath!, MaskEncodings.CamVid, IgnoreLabel);

    private static (string, CamVidOptions, DatasetItem[]) List(string root, CamVidOptions options)
    {
        root = DatasetFiles.RequireRoot(root, "CamVid");
        string split = DatasetFiles.RequireFolder(Path.Combine(root, options.Split), $"the split folder '{options.Split}' (with images/ and labels/)");
        string images = DatasetFiles.RequireFolder(Path.Combine(split, "images"), "<split>/images/*.jpg");
        string labels = DatasetFiles.RequireFolder(Path.Combine(split, "labels"), "<split>/labels/*.png");
        var items = DatasetFiles.List(images, DatasetFiles.ImageExtensions)
            .Select(image =>
            {
                string stem = Path.GetFileNameWithoutExtension(image);
                return new DatasetItem($"{options.Split}/{stem}", image, DatasetFiles.Partner(labels, stem, [".png"], image, "label file"));
            })
            .ToArray();
        return (root, options, items);
    }
}
