using Exemplar.Torch;

namespace Exemplar.Vision.Datasets;

/// <summary>What a COCO crowd region (<c>"iscrowd": 1</c>, RLE) becomes in label maps and class masks.</summary>
public enum CocoCrowdRegions
{
    /// <summary>Its category, like any instance (default; what a per-annotation <c>annToMask</c> loop paints).</summary>
    Category,
    /// <summary>The ignore label: a crowd is a region of its class whose instances were not outlined.</summary>
    Ignore,
    /// <summary>Nothing: crowd annotations are left out.</summary>
    Skip,
}

/// <summary>Options of <see cref="CocoInstancesDataset"/>.</summary>
public sealed record CocoOptions
{
    /// <summary>The instances JSON, relative to the root (or absolute), e.g. <c>annotations/instances_val2017.json</c>.</summary>
    public required string AnnotationFile { get; init; }

    /// <summary>
    /// The folder the image file names are relative to (relative to the root, or absolute), e.g. <c>val2017</c>. For
    /// LVIS files, whose images have a <c>coco_url</c> instead of a <c>file_name</c>, the last two parts of the URL
    /// (<c>val2017/000000397133.jpg</c>) are taken relative to this folder.
    /// </summary>
    public required string ImageFolder { get; init; }

    /// <summary>What crowd regions become (default: their category).</summary>
    public CocoCrowdRegions CrowdRegions { get; init; } = CocoCrowdRegions.Category;

    /// <summary>Keep images that have no annotation (all background) (default true).</summary>
    public bool IncludeImagesWithoutAnnotations { get; init; } = true;

    /// <summary>The ignore label; default 255, or -1 when there are 255 categories or more (LVIS).</summary>
    public long? IgnoreLabel { get; init; }

    /// <summary>The usual COCO layout for a split: <c>annotations/instances_&lt;split&gt;.json</c> and images in <c>&lt;split&gt;/</c>.</summary>
    public static CocoOptions ForSplit(string split) => new() { AnnotationFile = $"annotations/instances_{split}.json", ImageFolder = split };
}

/// <summary>A COCO category and the label it has in label maps.</summary>
/// <param name="CategoryId">The id in the JSON (COCO: 1..90 with gaps).</param>
/// <param name="Name">The name.</param>
/// <param name="Supercategory">The supercategory, or null.</param>
/// <param name="Label">
/// The label-map value: 1 + the category's position when categories are sorted by id (COCO: 1..80, the numbering
/// COCO-20i folds and HSNet's masks use); 0 is the background.
/// </param>
public sealed record CocoCategory(int CategoryId, string Name, string? Supercategory, long Label);

/// <summary>One annotation of an image.</summary>
/// <param name="AnnotationId">The annotation's id.</param>
/// <param name="CategoryId">Its category id.</param>
/// <param name="Label">Its category's label-map value.</param>
/// <param name="IsCrowd">Whether it is a crowd region.</param>
/// <param name="Area">The <c>"area"</c> field (0 when absent).</param>
public sealed record CocoInstance(long AnnotationId, int CategoryId, long Label, bool IsCrowd, double Area)
{
    /// <summary>The <c>"bbox"</c> field (<c>[x, y, width, height]</c>), or null when the annotation has none.</summary>
    public Metrics.BoundingBox? Box { get; init; }
}

/// <summary>A data set that can produce one class's mask of an item directly, more exactly than from its label map (where overlapping classes hide each other).</summary>
public interface IClassMaskSource
{
    /// <summary>The mask of class <paramref name="classId"/> in item <paramref name="index"/>: [H, W] int64, 1 on the class, 0 elsewhere, the ignore label where ignored.</summary>
    Tensor LoadClassMask(int index, long classId);
}
