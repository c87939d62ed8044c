using System.Text.Json;

namespace Exemplar.Vision.Datasets;

/// <summary>The parts of a COCO (or LVIS) instances JSON the loader needs, checked as it is read.</summary>
internal sealed class CocoAnnotationFile
{
    internal sealed record Image(long Id, string RelativePath, int Height, int Width);

    internal sealed record Annotation(CocoInstance Instance, string SegmentationJson);

    internal required CocoCategory[] Categories { get; init; }

    internal required Image[] Images { get; init; }

    internal required Dictionary<long, List<Annotation>> AnnotationsByImage { get; init; }

    internal static CocoAnnotationFile Read(string path)
    {
        DatasetFiles.RequireFile(path, "a COCO instances JSON");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 256 });
            var root = doc.RootElement;
            var categories = ReadCategories(Array(root, "categories", path), path);
            var byId = categories.ToDictionary(c => c.CategoryId);
            var images = Array(root, "images", path).EnumerateArray().Select(e => ReadImage(e, path)).ToArray();
            var imageIds = new HashSet<long>();
            foreach (var image in images)
            {
                if (!imageIds.Add(image.Id)) throw new DatasetLayoutException(path, $"image id {image.Id} is listed twice");
            }
            var annotations = new Dictionary<long, List<Annotation>>();
            foreach (var a in Array(root, "annotations", path).EnumerateArray())
            {
                long id = Long(a, "id", path, "an annotation");
                long imageId = Long(a, "image_id", path, $"annotation {id}");
                int categoryId = (int)Long(a, "category_id", path, $"annotation {id}");
                if (!imageIds.Contains(imageId)) throw new DatasetLayoutException(path, $"annotation {id} refers to image {imageId}, which is not listed");
                if (!byId.TryGetValue(categoryId, out var category)) throw new DatasetLayoutException(path, $"annotation {id} has category {categoryId}, which is not listed");
                if (!a.TryGetProperty("segmentation", out var segmentation)) throw new DatasetLayoutException(path, $"annotation {id} has no \"segmentation\"");
                bool crowd = a.TryGetProperty("iscrowd", out var c) && c.ValueKind == JsonValueKind.Number && c.GetInt32() != 0;
                double area = a.TryGetProperty("area", out var ar) && ar.ValueKind == JsonValueKind.Number ? ar.GetDouble() : 0;
                if (!annotations.TryGetValue(imageId, out var list)) annotations[imageId] = list = [];
                var box = a.TryGetProperty("bbox", out var b) ? ReadBox(b, path, id) : (Metrics.BoundingBox?)null;
                list.Add(new Annotation(new CocoInstance(id, categoryId, category.Label, crowd, area) { Box = box }, segmentation.GetRawText()));
            }
            return new CocoAnnotationFile { Categories = categories, Images = images, AnnotationsByImage = annotations };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new DatasetLayoutException(path, $"not a readable COCO instances JSON: {e.Message}", e);
        }
    }

    private static CocoCategory[] ReadCategories(JsonElement array, string path)
    {
        var raw = array.EnumerateArray()
            .Select(e => (Id: (int)Long(e, "id", path, "a category"), Name: String(e, "name", path, "a category"),
                          Super: e.TryGetProperty("supercategory", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null))
            .OrderBy(c => c.Id)
            .ToArray();
        if (raw.Length == 0) throw new DatasetLayoutException(path, "lists no categories");
        for (int i = 1; i < raw.Length; i++)
        {
            if (raw[i].Id == raw[i - 1].Id) throw new DatasetLayoutException(path, $"category id {raw[i].Id} is listed twice");
        }
        return raw.Select((c, i) => new CocoCategory(c.Id, c.Name, c.Super, i + 1)).ToArray();
    }

    private static Image ReadImage(JsonElement e, string path)
    {
        long id = Long(e, "id", path, "an image");
        string what = $"image {id}";
        string relative;
        if (e.TryGetProperty("file_name", out var name) && name.ValueKind == JsonValueKind.String)
        {
            relative = name.GetString()!;
        }
        else if (e.TryGetProperty("coco_url", out var url) && url.ValueKind == JsonValueKind.String)
        {
            // LVIS: "http://images.cocodataset.org/val2017/000000397133.jpg" → "val2017/000000397133.jpg".
            var parts = url.GetString()!.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2) throw new DatasetLayoutException(path, $"{what}: coco_url \"{url.GetString()}\" has no folder/file part");
            relative = parts[^2] + "/" + parts[^1];
        }
        else
        {
            throw new DatasetLayoutException(path, $"{what} has neither \"file_name\" nor \"coco_url\"");
        }
        int height = (int)Long(e, "height", path, what), width = (int)Long(e, "width", path, what);
        if (height < 1 || width < 1) throw new DatasetLayoutException(path, $"{what} is {width}x{height}");
        return new Image(id, relative, height, width);
    }

    private static Metrics.BoundingBox ReadBox(JsonElement e, string path, long id)
    {
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 4 || e.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.Number))
        {
            throw new DatasetLayoutException(path, $"annotation {id}: \"bbox\" is not [x, y, width, height] numbers");
        }
        var v = e.EnumerateArray().Select(x => x.GetDouble()).ToArray();
        if (v.Any(x => !double.IsFinite(x)) || v[2] < 0 || v[3] < 0) throw new DatasetLayoutException(path, $"annotation {id}: \"bbox\" [{string.Join(", ", v)}] has a negative or non-finite size");
        return new Metrics.BoundingBox(v[0], v[1], v[2], v[3]);
    }

    private static JsonElement Array(JsonElement root, string name, string path) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Array
            ? e
            : throw new DatasetLayoutException(path, $"has no \"{name}\" array");

    private static long Long(JsonElement e, string name, string path, string what) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n)
            ? n
            : throw new DatasetLayoutException(path, $"{what} has no integer \"{name}\"");

    private static string String(JsonElement e, string name, string path, string what) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new DatasetLayoutException(path, $"{what} has no string \"{name}\"");
}
