using System.Text.Json;
using Exemplar.Torch;
using Exemplar.Vision.Masks.Coco;

namespace Exemplar.Vision.Datasets;

/// <summary>
/// COCO-style instance annotations (COCO, LVIS): one JSON with images, categories and annotations whose
/// segmentations are polygons, or RLE for crowd regions. Each image is an item; its label map is painted from its
/// annotations in file order (a later annotation covers an earlier one where they overlap), with category labels
/// 1.. (see <see cref="CocoCategory.Label"/>) and 0 for the background. Per-instance and per-category binary masks are
/// available too, and <see cref="IClassMaskSource.LoadClassMask"/> gives a category's full mask regardless of overlaps.
/// Items are sorted by image path (ordinal); their <see cref="DatasetItem.ClassIds"/> are the labels of their annotations.
/// </summary>
public sealed class CocoInstancesDataset : SegmentationDatasetBase, IClassMaskSource
{
    private readonly CocoAnnotationFile.Image[] _images;
    private readonly CocoAnnotationFile.Annotation[][] _annotations;
    private readonly Dictionary<long, CocoCategory> _byLabel;
    private readonly Dictionary<int, CocoCategory> _byCategoryId;

    /// <summary>Opens the annotations of <paramref name="options"/> under <paramref name="root"/>.</summary>
    /// <exception cref="DatasetLayoutException">The JSON is missing or malformed (the message names the field), or no image is left.</exception>
    public CocoInstancesDataset(string root, CocoOptions options) : this(List(root, options))
    {
    }

    private CocoInstancesDataset(Listing listing)
        : base($"COCO instances ({Path.GetFileName(listing.AnnotationPath)})", listing.Root,
               [new DatasetClass(0, "background"), .. listing.File.Categories.Select(c => new DatasetClass(c.Label, c.Name))],
               listing.Items, listing.IgnoreLabel)
    {
        Options = listing.Options;
        AnnotationPath = listing.AnnotationPath;
        Categories = listing.File.Categories;
        _images = listing.Images;
        _annotations = listing.Images.Select(i => listing.File.AnnotationsByImage.TryGetValue(i.Id, out var a) ? a.ToArray() : []).ToArray();
        _byLabel = Categories.ToDictionary(c => c.Label);
        _byCategoryId = Categories.ToDictionary(c => c.CategoryId);
    }

    private sealed record Listing(string Root, CocoOptions Options, string AnnotationPath, CocoAnnotationFile File, CocoAnnotationFile.Image[] Images, DatasetItem[] Items, long IgnoreLabel);

    /// <summary>The options the data set was opened with.</summary>
    public CocoOptions Options { get; }

    /// <summary>The full path of the annotation JSON.</summary>
    public string AnnotationPath { get; }

    /// <summary>The categories, sorted by id (label 1, 2, …).</summary>
    public IReadOnlyList<CocoCategory> Categories { get; }

    /// <summary>The COCO image id of item <paramref name="index"/>.</summary>
    public long ImageIdOf(int index)
    {
        ItemAt(index);
        return _images[index].Id;
    }

    /// <summary>The category with label-map value <paramref name="label"/>.</summary>
    /// <exception cref="KeyNotFoundException">No category has that label.</exception>
    public CocoCategory CategoryOfLabel(long label) =>
        _byLabel.TryGetValue(label, out var c) ? c : throw new KeyNotFoundException($"{Name}: no category has label {label}");

    /// <summary>The category with JSON id <paramref name="categoryId"/>.</summary>
    /// <exception cref="KeyNotFoundException">No category has that id.</exception>
    public CocoCategory CategoryOfId(int categoryId) =>
        _byCategoryId.TryGetValue(categoryId, out var c) ? c : throw new KeyNotFoundException($"{Name}: no category has id {categoryId}");

    /// <summary>The annotations of item <paramref name="index"/>, in file order.</summary>
    public IReadOnlyList<CocoInstance> InstancesOf(int index)
    {
        ItemAt(index);
        return _annotations[index].Select(a => a.Instance).ToArray();
    }

    /// <summary>The mask of one annotation of item <paramref name="index"/>: [H, W] uint8 0/1.</summary>
    /// <exception cref="KeyNotFoundException">The item has no annotation with that id.</exception>
    public Tensor LoadInstanceMask(int index, long annotationId)
    {
        ItemAt(index);
        var annotation = _annotations[index].FirstOrDefault(a => a.Instance.AnnotationId == annotationId)
            ?? throw new KeyNotFoundException($"{Name}: image {Items[index].Id} has no annotation {annotationId}");
        return RleOf(index, annotation).Decode();
    }

    /// <summary>
    /// The mask of every annotation of category <paramref name="categoryId"/> in item <paramref name="index"/>: [H, W]
    /// int64, 1 where any of them is, 0 elsewhere; crowd regions as <see cref="CocoOptions.CrowdRegions"/> says (ignored
    /// crowd pixels that no instance covers hold the ignore label).
    /// </summary>
    public Tensor LoadCategoryMask(int index, int categoryId)
    {
        ItemAt(index);
        CategoryOfId(categoryId);
        var image = _images[index];
        var labels = new long[(long)image.Height * image.Width];
        foreach (var a in _annotations[index].Where(a => a.Instance.CategoryId == categoryId && a.Instance.IsCrowd)) Paint(labels, index, a, CrowdValue(1));
        foreach (var a in _annotations[index].Where(a => a.Instance.CategoryId == categoryId && !a.Instance.IsCrowd)) Paint(labels, index, a, 1);
        return Tensor.From(labels, image.Height, image.Width);
    }

    /// <summary>Same as <see cref="LoadCategoryMask"/> for the category whose label is <paramref name="classId"/>.</summary>
    public Tensor LoadClassMask(int index, long classId) => LoadCategoryMask(index, CategoryOfLabel(classId).CategoryId);

    /// <inheritdoc/>
    protected override Tensor LoadLabels(int index, DatasetItem item)
    {
        var image = _images[index];
        var labels = new long[(long)image.Height * image.Width];
        foreach (var a in _annotations[index]) Paint(labels, index, a, a.Instance.IsCrowd ? CrowdValue(a.Instance.Label) : a.Instance.Label);
        return Tensor.From(labels, image.Height, image.Width);
    }

    /// <summary>The value crowd pixels get, or null when crowds are skipped.</summary>
    private long? CrowdValue(long label) => Options.CrowdRegions switch
    {
        CocoCrowdRegions.Category => label,
        CocoCrowdRegions.Ignore => IgnoreLabel,
        _ => null,
    };

    private void Paint(long[] labels, int index, CocoAnnotationFile.Annotation annotation, long? value)
    {
        if (value is not long v) return;
        var rle = RleOf(index, annotation);
        int height = rle.Height;
        long position = 0;
        var counts = rle.Counts;
        for (int i = 0; i < counts.Count; i++)
        {
            if (i % 2 == 1)
            {
                // RLE runs go down the columns: position p is row p % H of column p / H.
                for (long p = position, end = position + counts[i]; p < end; p++) labels[p % height * rle.Width + p / height] = v;
            }
            position += counts[i];
        }
    }

    private CocoRle RleOf(int index, CocoAnnotationFile.Annotation annotation)
    {
        var image = _images[index];
        try
        {
            using var doc = JsonDocument.Parse(annotation.SegmentationJson);
            return CocoSegmentation.ToRle(doc.RootElement, image.Height, image.Width);
        }
        catch (FormatException e)
        {
            throw new ImageFormatException(AnnotationPath, $"annotation {annotation.Instance.AnnotationId} (image {image.Id}, {image.RelativePath}): {e.Message}", e);
        }
    }

    private static Listing List(string root, CocoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        root = DatasetFiles.RequireRoot(root, "COCO");
        string annotationPath = Path.GetFullPath(Path.Combine(root, options.AnnotationFile));
        string imageFolder = DatasetFiles.RequireFolder(Path.GetFullPath(Path.Combine(root, options.ImageFolder)), "the COCO image folder");
        var file = CocoAnnotationFile.Read(annotationPath);
        long ignore = options.IgnoreLabel ?? (file.Categories.Length >= 255 ? -1 : 255);
        if (ignore >= 0 && ignore <= file.Categories.Length)
        {
            throw new ArgumentException($"COCO: ignore label {ignore} is also a category label (1..{file.Categories.Length}); use -1", nameof(options));
        }
        var images = file.Images
            .Where(i => options.IncludeImagesWithoutAnnotations || file.AnnotationsByImage.ContainsKey(i.Id))
            .OrderBy(i => i.RelativePath, StringComparer.Ordinal)
            .ToArray();
        var items = images.Select(i =>
        {
            string path = Path.GetFullPath(Path.Combine(imageFolder, i.RelativePath));
            if (!File.Exists(path)) throw new DatasetLayoutException(path, $"image {i.Id} of {annotationPath} not found");
            string extension = Path.GetExtension(i.RelativePath);
            var classIds = file.AnnotationsByImage.TryGetValue(i.Id, out var list)
                ? list.Where(a => !a.Instance.IsCrowd || options.CrowdRegions == CocoCrowdRegions.Category).Select(a => a.Instance.Label).Distinct().Order().ToArray()
                : [];
            return new DatasetItem(i.RelativePath[..^extension.Length], path, null) { ClassIds = classIds };
        }).ToArray();
        return new Listing(root, options, annotationPath, file, images, items, ignore);
    }
}
