using Exemplar.Torch;

namespace Exemplar.Vision.Datasets;

/// <summary>Which ISBI-2012 structure is the foreground class (label 1).</summary>
public enum IsbiForeground
{
    /// <summary>The membranes (black, 0, in the label files): the thin structure the challenge asks to segment (default).</summary>
    Membrane,
    /// <summary>The cell interiors (white, 255, in the label files).</summary>
    CellInterior,
}

/// <summary>Options of <see cref="IsbiDataset"/>.</summary>
public sealed record IsbiOptions
{
    /// <summary>The foreground class (default: membrane).</summary>
    public IsbiForeground Foreground { get; init; } = IsbiForeground.Membrane;
}

/// <summary>
/// ISBI-2012 EM segmentation challenge (Arganda-Carreras et al., 2015): slices <c>images/N.png</c> (gray, read as RGB)
/// with labels <c>labels/N.png</c> where white is cell interior and black is membrane. By default label 1 is the
/// membrane — the object of the challenge, which scores membrane detection — i.e. pixels below 128 in the label file;
/// <see cref="IsbiForeground.CellInterior"/> flips it. Slices are in numeric order (0, 1, …, 29).
/// </summary>
public sealed class IsbiDataset : SegmentationDatasetBase
{
    /// <summary>Opens the ISBI-2012 folder <paramref name="root"/>.</summary>
    /// <exception cref="DatasetLayoutException">A folder or a label file is missing, or there are no images.</exception>
    public IsbiDataset(string root, IsbiOptions? options = null) : this(List(root, options ?? new IsbiOptions()))
    {
    }

    private IsbiDataset((string Root, IsbiOptions Options, DatasetItem[] Items) listing)
        : base("ISBI-2012", listing.Root, ClassesFor(listing.Options.Foreground), listing.Items)
    {
        Options = listing.Options;
    }

    /// <summary>The options the data set was opened with.</summary>
    public IsbiOptions Options { get; }

    /// <inheritdoc/>
    protected override Tensor LoadLabels(int index, DatasetItem item)
    {
        var interior = DatasetMasks.Binary(item.MaskPath!);
        if (Options.Foreground == IsbiForeground.CellInterior) return interior;
        using (interior)
        {
            using var membrane = interior.Eq(0);
            return membrane.To(DType.Int64);
        }
    }

    private static DatasetClass[] ClassesFor(IsbiForeground foreground) => foreground == IsbiForeground.Membrane
        ? [new(0, "cell interior"), new(1, "membrane")]
        : [new(0, "membrane"), new(1, "cell interior")];

    private static (string, IsbiOptions, DatasetItem[]) List(string root, IsbiOptions options)
    {
        root = DatasetFiles.RequireRoot(root, "ISBI-2012");
        string images = DatasetFiles.RequireFolder(Path.Combine(root, "images"), "images/N.png");
        string labels = DatasetFiles.RequireFolder(Path.Combine(root, "labels"), "labels/N.png");
        var files = DatasetFiles.List(images, DatasetFiles.ImageExtensions);
        Array.Sort(files, (a, b) => DatasetFiles.CompareNatural(Path.GetFileNameWithoutExtension(a), Path.GetFileNameWithoutExtension(b)));
        var items = files.Select(image =>
        {
            string stem = Path.GetFileNameWithoutExtension(image);
            return new DatasetItem(stem, image, DatasetFiles.Partner(labels, stem, [".png"], image, "label file"));
        }).ToArray();
        return (root, options, items);
    }
}
