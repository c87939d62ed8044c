using Exemplar.Torch;

namespace Exemplar.Vision.Datasets;

/// <summary>Which FSS-1000 classes to load.</summary>
public enum FssSplit
{
    /// <summary>The 520 training classes of <c>splits/trn.txt</c> (class ids 0..519).</summary>
    Train,
    /// <summary>The 240 validation classes of <c>splits/val.txt</c> (class ids 520..759).</summary>
    Val,
    /// <summary>The 240 test classes of <c>splits/test.txt</c> (class ids 760..999), the usual few-shot benchmark.</summary>
    Test,
    /// <summary>Every class folder found under the root (class ids 0.., in name order).</summary>
    All,
}

/// <summary>Options of <see cref="FssDataset"/>.</summary>
public sealed record FssOptions
{
    /// <summary>The classes to load (default: the test split).</summary>
    public FssSplit Split { get; init; } = FssSplit.Test;

    /// <summary>The split's class list; default <c>&lt;root&gt;/splits/{trn,val,test}.txt</c>. Ignored for <see cref="FssSplit.All"/>.</summary>
    public string? SplitFile { get; init; }

    /// <summary>
    /// Read masks whose values are all 0 or 1 as they are (default true). FSS-1000's loaders threshold the gray value at
    /// 128, which would turn such a mask into an empty one; masks holding other values are thresholded at 128 either way.
    /// Set false for HSNet's rule exactly.
    /// </summary>
    public bool AcceptZeroOneMasks { get; init; } = true;
}

/// <summary>
/// FSS-1000 (Li et al., CVPR 2020): one folder per class, <c>&lt;class&gt;/&lt;n&gt;.jpg</c> with its mask
/// <c>&lt;class&gt;/&lt;n&gt;.png</c>, and the class splits used by few-shot papers in <c>splits/{trn,val,test}.txt</c>.
/// Label maps are binary (0 background, 1 the item's class, whose name is <see cref="DatasetItem.Category"/>): gray ≥ 128
/// is foreground, as HSNet reads them. Classes are sorted by name and images by file name, as HSNet lists them.
/// </summary>
public sealed class FssDataset : SegmentationDatasetBase
{
    private static readonly DatasetClass[] BinaryClasses = [new(0, "background"), new(1, "foreground")];

    private readonly Dictionary<string, int> _categoryIndex;

    /// <summary>Opens the FSS-1000 folder <paramref name="root"/> (the one holding the class folders).</summary>
    /// <exception cref="DatasetLayoutException">The split file, a listed class folder or a mask is missing, or there are no images.</exception>
    public FssDataset(string root, FssOptions? options = null) : this(List(root, options ?? new FssOptions()))
    {
    }

    private FssDataset(Listing listing) : base($"FSS-1000 ({listing.Options.Split})", listing.Root, BinaryClasses, listing.Items)
    {
        Options = listing.Options;
        Categories = listing.Categories;
        _categoryIndex = listing.Categories.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
    }

    private sealed record Listing(string Root, FssOptions Options, DatasetItem[] Items, string[] Categories);

    /// <summary>The options the data set was opened with.</summary>
    public FssOptions Options { get; }

    /// <summary>The class names, sorted (ordinal), as HSNet orders them.</summary>
    public IReadOnlyList<string> Categories { get; }

    /// <summary>The first class id of the split in the 1000-class numbering HSNet reports (train 0, val 520, test 760, all 0).</summary>
    public int CategoryIdOffset => Options.Split switch { FssSplit.Val => 520, FssSplit.Test => 760, _ => 0 };

    /// <summary>HSNet's class id of a category: <see cref="CategoryIdOffset"/> + its index in <see cref="Categories"/>.</summary>
    /// <exception cref="KeyNotFoundException">The category is not in this split.</exception>
    public int CategoryIdOf(string category) =>
        _categoryIndex.TryGetValue(category, out int i) ? CategoryIdOffset + i : throw new KeyNotFoundException($"FSS-1000: no class '{category}' in {Name}");

    /// <inheritdoc/>
    protected override Tensor LoadLabels(int index, DatasetItem item) =>
        DatasetMasks.Binary(item.MaskPath!, acceptZeroOne: Options.AcceptZeroOneMasks);

    /// <summary>The class names of a split file: one per line, blank lines skipped.</summary>
    public static IReadOnlyList<string> ReadSplitFile(string path)
    {
        DatasetFiles.RequireFile(path, "an FSS-1000 split file (one class name per line)");
        return File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
    }

    private static Listing List(string root, FssOptions options)
    {
        root = DatasetFiles.RequireRoot(root, "FSS-1000");
        string[] categories;
        if (options.Split == FssSplit.All)
        {
            categories = DatasetFiles.Folders(root).Select(Path.GetFileName).Where(n => n is not null && n != "splits").Select(n => n!).ToArray();
        }
        else
        {
            string name = options.Split switch { FssSplit.Train => "trn", FssSplit.Val => "val", _ => "test" };
            string splitFile = options.SplitFile ?? Path.Combine(root, "splits", name + ".txt");
            categories = ReadSplitFile(splitFile).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            foreach (string c in categories)
            {
                if (!Directory.Exists(Path.Combine(root, c)))
                {
                    throw new DatasetLayoutException(Path.Combine(root, c), $"class folder of '{c}' (listed in {splitFile}) not found");
                }
            }
        }
        Array.Sort(categories, StringComparer.Ordinal);
        var items = new List<DatasetItem>();
        foreach (string category in categories)
        {
            string folder = Path.Combine(root, category);
            foreach (string image in DatasetFiles.List(folder, [".jpg"]))
            {
                string stem = Path.GetFileNameWithoutExtension(image);
                string mask = DatasetFiles.Partner(folder, stem, [".png"], image, "mask");
                items.Add(new DatasetItem(DatasetFiles.IdOf(root, image), image, mask) { Category = category, ClassIds = [1] });
            }
        }
        return new Listing(root, options, [.. items], categories);
    }
}
