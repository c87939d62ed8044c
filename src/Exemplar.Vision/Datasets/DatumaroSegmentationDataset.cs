using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Masks;

namespace Exemplar.Vision.Datasets;

/// <summary>Options of <see cref="DatumaroSegmentationDataset"/>.</summary>
public sealed record DatumaroSegmentationOptions
{
    /// <summary>
    /// The subset folder (e.g. "train") for the layout with one folder per subset; null (default) when the root itself
    /// holds <c>dataset_meta.json</c>, <c>images/</c> and <c>masks/</c>.
    /// </summary>
    public string? Split { get; init; }

    /// <summary>Only image files whose name starts with this are used; it is not part of the item id (Datumaro's <c>--image-prefix</c>).</summary>
    public string ImagePrefix { get; init; } = "";

    /// <summary>Only mask files whose name starts with this are used; it is not part of the item id (Datumaro's <c>--mask-prefix</c>).</summary>
    public string MaskPrefix { get; init; } = "";

    /// <summary>Colour masks: what to do with a colour not in <c>segmentation_colors</c> (default: error, as Datumaro fails).</summary>
    public UnknownColorPolicy UnknownColors { get; init; } = UnknownColorPolicy.Error;

    /// <summary>The label of ignored pixels (default 255; a stored value equal to it is read as void).</summary>
    public long IgnoreLabel { get; init; } = 255;
}

/// <summary>
/// Datumaro's Common Semantic Segmentation format (from OpenVINO's accuracy checker):
/// <c>dataset_meta.json</c> (see <see cref="DatumaroMeta"/>), <c>images/&lt;id&gt;.&lt;ext&gt;</c> and
/// <c>masks/&lt;id&gt;.png</c>, optionally inside one folder per subset (<c>&lt;root&gt;/&lt;split&gt;/…</c>). Ids may
/// contain sub-folders. Items are the masks (sorted by id); a mask whose image is missing is an error.
/// Mask values: a single-channel (gray or palette) mask stores class ids; an RGB mask stores the class colours of
/// <c>segmentation_colors</c> — or, when the meta file has none, the colours Datumaro generates (the PASCAL VOC
/// palette, class i ↦ colour i); a palette PNG is read by its colours when the meta file has colours (as Datumaro's
/// OpenCV reader sees it), else by its indices.
/// </summary>
public sealed class DatumaroSegmentationDataset : SegmentationDatasetBase
{
    private readonly HashSet<long> _classIds;
    private readonly ColorMapMaskEncoding _colors;
    private readonly bool _metaHasColors;

    /// <summary>Opens the Datumaro folder <paramref name="root"/>.</summary>
    /// <exception cref="DatasetLayoutException">The meta file or a folder is missing (for a subset layout without <see cref="DatumaroSegmentationOptions.Split"/>, the message lists the subsets), a mask's image is missing, or there are no masks.</exception>
    public DatumaroSegmentationDataset(string root, DatumaroSegmentationOptions? options = null) : this(List(root, options ?? new DatumaroSegmentationOptions()))
    {
    }

    private DatumaroSegmentationDataset((string Root, DatumaroSegmentationOptions Options, DatumaroMeta Meta, DatasetItem[] Items) listing)
        : base(listing.Options.Split is null ? "Datumaro segmentation" : $"Datumaro segmentation ({listing.Options.Split})",
               listing.Root, listing.Meta.Classes, listing.Items, listing.Options.IgnoreLabel)
    {
        Options = listing.Options;
        Meta = listing.Meta;
        _classIds = [.. listing.Meta.Classes.Select(c => c.Id)];
        _metaHasColors = listing.Meta.Colors is not null;
        var colors = listing.Meta.Colors ?? listing.Meta.Classes.Select((_, i) => ImagePalette.Voc[i % 256]).ToArray();
        _colors = new ColorMapMaskEncoding(new ColorTable(colors.Select((c, i) => (c, listing.Meta.Classes[i].Id))), listing.Options.UnknownColors);
    }

    /// <summary>The options the data set was opened with.</summary>
    public DatumaroSegmentationOptions Options { get; }

    /// <summary>The parsed meta file.</summary>
    public DatumaroMeta Meta { get; }

    /// <summary>The subset folders of <paramref name="root"/> (those holding a <c>dataset_meta.json</c>), sorted.</summary>
    public static IReadOnlyList<string> ListSplits(string root) =>
        DatasetFiles.Folders(DatasetFiles.RequireRoot(root, "Datumaro segmentation"))
            .Where(d => File.Exists(Path.Combine(d, DatumaroMeta.FileName)))
            .Select(d => Path.GetFileName(d))
            .ToArray();

    /// <inheritdoc/>
    protected override Tensor LoadLabels(int index, DatasetItem item)
    {
        string path = item.MaskPath!;
        var info = ImageReader.ReadInfo(path, applyExifOrientation: false);
        bool byColor = info.StoredChannels >= 3 || (info.IsIndexed && _metaHasColors);
        if (byColor) return DatasetMasks.Decode(path, _colors, IgnoreLabel);
        var labels = DatasetMasks.Decode(path, new ClassIdMaskEncoding(), IgnoreLabel);
        foreach (long value in labels.ToArray<long>().Distinct())
        {
            if (value != IgnoreLabel && !_classIds.Contains(value))
            {
                labels.Dispose();
                throw new ImageFormatException(path, $"holds class id {value}, which {DatumaroMeta.FileName} does not list");
            }
        }
        return labels;
    }

    private static (string, DatumaroSegmentationOptions, DatumaroMeta, DatasetItem[]) List(string root, DatumaroSegmentationOptions options)
    {
        root = DatasetFiles.RequireRoot(root, "Datumaro segmentation");
        string folder = options.Split is null ? root : DatasetFiles.RequireFolder(Path.Combine(root, options.Split), $"the subset folder '{options.Split}'");
        string metaPath = Path.Combine(folder, DatumaroMeta.FileName);
        if (options.Split is null && !File.Exists(metaPath))
        {
            var splits = ListSplits(root);
            if (splits.Count > 0)
            {
                throw new DatasetLayoutException(root, $"holds one folder per subset ({string.Join(", ", splits)}): set DatumaroSegmentationOptions.Split");
            }
        }
        var meta = DatumaroMeta.Read(metaPath);
        string images = DatasetFiles.RequireFolder(Path.Combine(folder, "images"), "images/<id>.<ext> beside dataset_meta.json");
        string masks = DatasetFiles.RequireFolder(Path.Combine(folder, "masks"), "masks/<id>.png beside dataset_meta.json");
        var imageById = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string image in Recursive(images, DatasetFiles.ImageExtensions, options.ImagePrefix))
        {
            imageById.TryAdd(IdOf(images, image, options.ImagePrefix), image);
        }
        var items = Recursive(masks, DatasetFiles.MaskExtensions, options.MaskPrefix)
            .Select(mask =>
            {
                string id = IdOf(masks, mask, options.MaskPrefix);
                string image = imageById.GetValueOrDefault(id)
                    ?? throw new DatasetLayoutException(mask, $"no image with id '{id}' in {images}");
                return new DatasetItem(id, image, mask);
            })
            .OrderBy(i => i.Id, StringComparer.Ordinal)
            .ToArray();
        return (root, options, meta, items);
    }

    private static IEnumerable<string> Recursive(string folder, string[] extensions, string prefix) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Where(f => Path.GetFileName(f).StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>The id: the path relative to the folder, without extension, the prefix removed from the file name.</summary>
    private static string IdOf(string folder, string file, string prefix)
    {
        string id = DatasetFiles.IdOf(folder, file);
        int slash = id.LastIndexOf('/');
        return id[..(slash + 1)] + id[(slash + 1 + prefix.Length)..];
    }
}
