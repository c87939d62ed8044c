using Exemplar.Torch;

namespace Exemplar.Vision.Datasets;

/// <summary>Options of <see cref="DriveDataset"/>.</summary>
public sealed record DriveOptions
{
    /// <summary>The split folder (default "training", the half with manual vessel masks).</summary>
    public string Split { get; init; } = "training";

    /// <summary>Mark the pixels outside the field of view as ignored (default true, as DRIVE is scored).</summary>
    public bool IgnoreOutsideFov { get; init; } = true;
}

/// <summary>
/// DRIVE retinal vessels (Staal et al., 2004): <c>training/images/NN.png</c>, manual vessel masks
/// <c>training/vessels/NN.png</c> (0/255 → labels 0 background, 1 vessel) and field-of-view masks
/// <c>training/fov/NN.png</c>; pixels outside the field of view hold the ignore label.
/// </summary>
public sealed class DriveDataset : SegmentationDatasetBase
{
    private static readonly DatasetClass[] VesselClasses = [new(0, "background"), new(1, "vessel")];

    private readonly string[] _fovPaths;

    /// <summary>Opens split <see cref="DriveOptions.Split"/> of the DRIVE folder <paramref name="root"/>.</summary>
    /// <exception cref="DatasetLayoutException">A folder, a vessel mask or a field-of-view mask is missing, or there are no images.</exception>
    public DriveDataset(string root, DriveOptions? options = null) : this(List(root, options ?? new DriveOptions()))
    {
    }

    private DriveDataset((string Root, DriveOptions Options, DatasetItem[] Items, string[] Fov) listing)
        : base($"DRIVE ({listing.Options.Split})", listing.Root, VesselClasses, listing.Items)
    {
        Options = listing.Options;
        _fovPaths = listing.Fov;
    }

    /// <summary>The options the data set was opened with.</summary>
    public DriveOptions Options { get; }

    /// <summary>The field-of-view mask file of item <paramref name="index"/>.</summary>
    public string FovPathOf(int index)
    {
        ItemAt(index);
        return _fovPaths[index];
    }

    /// <inheritdoc/>
    protected override Tensor LoadLabels(int index, DatasetItem item)
    {
        var vessels = DatasetMasks.Binary(item.MaskPath!);
        if (!Options.IgnoreOutsideFov) return vessels;
        try
        {
            using var fov = DatasetMasks.Binary(_fovPaths[index]);
            if (!fov.Shape.AsSpan().SequenceEqual(vessels.Shape))
            {
                throw new ImageFormatException(_fovPaths[index], $"the field-of-view mask is {fov.Size(1)}x{fov.Size(0)} but the vessel mask {item.MaskPath} is {vessels.Size(1)}x{vessels.Size(0)} (width x height)");
            }
            return DatasetMasks.IgnoreOutside(vessels, fov, IgnoreLabel);
        }
        finally
        {
            vessels.Dispose();
        }
    }

    private static (string, DriveOptions, DatasetItem[], string[]) List(string root, DriveOptions options)
    {
        root = DatasetFiles.RequireRoot(root, "DRIVE");
        string split = DatasetFiles.RequireFolder(Path.Combine(root, options.Split), $"the split folder '{options.Split}' (with images/, vessels/, fov/)");
        string images = DatasetFiles.RequireFolder(Path.Combine(split, "images"), "<split>/images/NN.png");
        string vessels = DatasetFiles.RequireFolder(Path.Combine(split, "vessels"), "<split>/vessels/NN.png");
        string fov = options.IgnoreOutsideFov ? DatasetFiles.RequireFolder(Path.Combine(split, "fov"), "<split>/fov/NN.png") : Path.Combine(split, "fov");
        var files = DatasetFiles.List(images, DatasetFiles.ImageExtensions);
        Array.Sort(files, (a, b) => DatasetFiles.CompareNatural(Path.GetFileNameWithoutExtension(a), Path.GetFileNameWithoutExtension(b)));
        var items = new DatasetItem[files.Length];
        var fovPaths = new string[files.Length];
        for (int i = 0; i < files.Length; i++)
        {
            string stem = Path.GetFileNameWithoutExtension(files[i]);
            items[i] = new DatasetItem($"{options.Split}/{stem}", files[i], DatasetFiles.Partner(vessels, stem, [".png"], files[i], "vessel mask"));
            fovPaths[i] = options.IgnoreOutsideFov
                ? DatasetFiles.Partner(fov, stem, [".png"], files[i], "field-of-view mask")
                : Path.Combine(fov, stem + ".png");
        }
        return (root, options, items, fovPaths);
    }
}
