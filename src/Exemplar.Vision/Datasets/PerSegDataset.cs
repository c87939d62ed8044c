using Exemplar.Torch;

namespace Exemplar.Vision.Datasets;

/// <summary>
/// PerSeg personalised-segmentation data (Zhang et al., PerSAM, 2023). Two layouts are recognised: the original
/// <c>Images/&lt;object&gt;/00.jpg</c> with <c>Annotations/&lt;object&gt;/00.png</c>, and a flat folder of
/// <c>&lt;object&gt;_00.jpg</c> with <c>&lt;object&gt;_00.png</c>. Masks are binary (palette index ≠ 0, or gray ≥ 128,
/// is the object: label 1); <see cref="DatasetItem.Category"/> is the object's name. Items are grouped by object (in
/// name order), photos in name order.
/// </summary>
public sealed class PerSegDataset : SegmentationDatasetBase
{
    private static readonly DatasetClass[] BinaryClasses = [new(0, "background"), new(1, "object")];

    /// <summary>Opens the PerSeg folder <paramref name="root"/>.</summary>
    /// <exception cref="DatasetLayoutException">A photo has no mask, or there are no photos.</exception>
    public PerSegDataset(string root) : this(List(root))
    {
    }

    private PerSegDataset((string Root, DatasetItem[] Items, string[] Objects) listing) : base("PerSeg", listing.Root, BinaryClasses, listing.Items)
    {
        Objects = listing.Objects;
    }

    /// <summary>The object names, in item order.</summary>
    public IReadOnlyList<string> Objects { get; }

    /// <inheritdoc/>
    protected override Tensor LoadLabels(int index, DatasetItem item) => DatasetMasks.Binary(item.MaskPath!);

    private static (string, DatasetItem[], string[]) List(string root)
    {
        root = DatasetFiles.RequireRoot(root, "PerSeg");
        string images = Path.Combine(root, "Images"), annotations = Path.Combine(root, "Annotations");
        var items = new List<DatasetItem>();
        if (Directory.Exists(images))
        {
            DatasetFiles.RequireFolder(annotations, "Annotations/<object>/NN.png beside Images/");
            foreach (string folder in DatasetFiles.Folders(images))
            {
                string name = Path.GetFileName(folder);
                string maskFolder = DatasetFiles.RequireFolder(Path.Combine(annotations, name), $"the masks of object '{name}'");
                foreach (string photo in DatasetFiles.List(folder, [".jpg", ".jpeg", ".png"]))
                {
                    string stem = Path.GetFileNameWithoutExtension(photo);
                    items.Add(new DatasetItem($"{name}/{stem}", photo, DatasetFiles.Partner(maskFolder, stem, [".png"], photo, "mask")) { Category = name });
                }
            }
        }
        else
        {
            foreach (string photo in DatasetFiles.List(root, [".jpg", ".jpeg"]))
            {
                string stem = Path.GetFileNameWithoutExtension(photo);
                int cut = stem.LastIndexOf('_');
                if (cut <= 0) throw new DatasetLayoutException(photo, "a flat PerSeg photo is named <object>_<NN>.jpg");
                items.Add(new DatasetItem(stem, photo, DatasetFiles.Partner(root, stem, [".png"], photo, "mask")) { Category = stem[..cut] });
            }
            items = [.. items.OrderBy(i => i.Category, StringComparer.Ordinal).ThenBy(i => i.Id, StringComparer.Ordinal)];
        }
        var objects = items.Select(i => i.Category!).Distinct().ToArray();
        return (root, [.. items], objects);
    }
}
