using Exemplar.Torch;

namespace Exemplar.Vision.Datasets;

/// <summary>Options of <see cref="MagneticTileDataset"/>.</summary>
public sealed record MagneticTileOptions
{
    /// <summary>Include the defect-free images of <c>MT_Free</c> (all background) (default true).</summary>
    public bool IncludeFree { get; init; } = true;
}

/// <summary>
/// Magnetic-tile surface defects (Huang et al., 2018): <c>MT_&lt;Type&gt;/&lt;name&gt;.jpg</c> with a same-name
/// <c>.png</c> mask (0/255, ≥ 128 is the defect). Each defect folder is one class: label 0 is the defect-free surface
/// and labels 1.. are the defect types in name order (Blowhole 1, Break 2, Crack 3, Fray 4, Uneven 5 in the original
/// set); <c>MT_Free</c> images are all label 0. <see cref="DatasetItem.Category"/> is the folder's type.
/// </summary>
public sealed class MagneticTileDataset : SegmentationDatasetBase
{
    /// <summary>The folder type of the defect-free images.</summary>
    public const string FreeType = "Free";

    private readonly Dictionary<string, long> _typeLabels;

    /// <summary>Opens the magnetic-tile folder <paramref name="root"/> (holding the <c>MT_*</c> folders).</summary>
    /// <exception cref="DatasetLayoutException">There is no <c>MT_*</c> folder, an image has no mask, or there are no images.</exception>
    public MagneticTileDataset(string root, MagneticTileOptions? options = null) : this(List(root, options ?? new MagneticTileOptions()))
    {
    }

    private MagneticTileDataset((string Root, MagneticTileOptions Options, DatasetClass[] Classes, DatasetItem[] Items) listing)
        : base("Magnetic tile", listing.Root, listing.Classes, listing.Items)
    {
        Options = listing.Options;
        _typeLabels = listing.Classes.Skip(1).ToDictionary(c => c.Name, c => c.Id, StringComparer.Ordinal);
    }

    /// <summary>The options the data set was opened with.</summary>
    public MagneticTileOptions Options { get; }

    /// <inheritdoc/>
    protected override Tensor LoadLabels(int index, DatasetItem item)
    {
        long label = _typeLabels.GetValueOrDefault(item.Category!);
        if (label != 0) return DatasetMasks.Binary(item.MaskPath!, foreground: label);
        // Defect-free: the mask is read anyway, so that a defect drawn on a Free image is an error, not a silent 0.
        using var mask = DatasetMasks.Binary(item.MaskPath!);
        using var any = mask.Any();
        if (any.Item<bool>()) throw new ImageFormatException(item.MaskPath!, "a defect-free (MT_Free) image has a non-empty defect mask");
        return Tensor.ZerosLike(mask);
    }

    private static (string, MagneticTileOptions, DatasetClass[], DatasetItem[]) List(string root, MagneticTileOptions options)
    {
        root = DatasetFiles.RequireRoot(root, "Magnetic tile");
        var folders = DatasetFiles.Folders(root).Where(d => Path.GetFileName(d).StartsWith("MT_", StringComparison.Ordinal)).ToArray();
        if (folders.Length == 0) throw new DatasetLayoutException(root, "no MT_<Type> folders found (expected MT_Blowhole, …, MT_Free)");
        var types = folders.Select(d => Path.GetFileName(d)["MT_".Length..]).ToArray();
        var defects = types.Where(t => t != FreeType).ToArray();
        DatasetClass[] classes = [new(0, "free"), .. defects.Select((t, i) => new DatasetClass(i + 1, t))];
        var items = new List<DatasetItem>();
        for (int f = 0; f < folders.Length; f++)
        {
            if (types[f] == FreeType && !options.IncludeFree) continue;
            long label = Array.IndexOf(defects, types[f]) + 1;
            foreach (string image in DatasetFiles.List(folders[f], [".jpg", ".jpeg"]))
            {
                string stem = Path.GetFileNameWithoutExtension(image);
                string mask = DatasetFiles.Partner(folders[f], stem, [".png"], image, "mask");
                items.Add(new DatasetItem(DatasetFiles.IdOf(root, image), image, mask) { Category = types[f], ClassIds = label == 0 ? [] : [label] });
            }
        }
        return (root, options, classes, [.. items]);
    }
}
