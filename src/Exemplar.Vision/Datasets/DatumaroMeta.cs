using System.Globalization;
using System.Text.Json;
using Exemplar.Vision.IO;

namespace Exemplar.Vision.Datasets;

/// <summary>
/// Datumaro's <c>dataset_meta.json</c>: the classes (<c>"label_map": {"0": "background", "1": "car"}</c>, or
/// <c>"labels": ["background", "car"]</c> where the position is the id), optional mask colours
/// (<c>"segmentation_colors": [[0, 0, 0], [255, 0, 0]]</c>, RGB, one per class in the order the classes are listed) and
/// an optional <c>"background_label": "0"</c> (string or number). When both are present, <c>label_map</c> is used.
/// </summary>
/// <param name="Classes">The classes, in the order the file lists them.</param>
/// <param name="Colors">The colour of each class (same order), or null when the file has none.</param>
/// <param name="BackgroundLabel">The background class id, or null.</param>
public sealed record DatumaroMeta(IReadOnlyList<DatasetClass> Classes, IReadOnlyList<Rgba32>? Colors, long? BackgroundLabel)
{
    /// <summary>The meta file's name.</summary>
    public const string FileName = "dataset_meta.json";

    /// <summary>Reads and checks a <c>dataset_meta.json</c>.</summary>
    /// <exception cref="DatasetLayoutException">The file is missing, is not JSON, or breaks a rule above (the message says which).</exception>
    public static DatumaroMeta Read(string path)
    {
        DatasetFiles.RequireFile(path, "Datumaro's dataset_meta.json");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            return Parse(doc.RootElement, path);
        }
        catch (JsonException e)
        {
            throw new DatasetLayoutException(path, $"not valid JSON: {e.Message}", e);
        }
    }

    private static DatumaroMeta Parse(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new DatasetLayoutException(path, "expected a JSON object with \"label_map\" or \"labels\"");
        var classes = new List<DatasetClass>();
        if (root.TryGetProperty("label_map", out var labelMap))
        {
            if (labelMap.ValueKind != JsonValueKind.Object) throw new DatasetLayoutException(path, "\"label_map\" must be an object {\"<id>\": \"<name>\"}");
            foreach (var entry in labelMap.EnumerateObject())
            {
                if (!long.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out long id))
                {
                    throw new DatasetLayoutException(path, $"\"label_map\" key \"{entry.Name}\" is not a non-negative class id");
                }
                classes.Add(new DatasetClass(id, NameOf(entry.Value, path, $"label_map[\"{entry.Name}\"]")));
            }
        }
        else if (root.TryGetProperty("labels", out var labels))
        {
            if (labels.ValueKind != JsonValueKind.Array) throw new DatasetLayoutException(path, "\"labels\" must be an array of class names");
            int i = 0;
            foreach (var name in labels.EnumerateArray()) classes.Add(new DatasetClass(i, NameOf(name, path, $"labels[{i++}]")));
        }
        else
        {
            throw new DatasetLayoutException(path, "has neither \"label_map\" nor \"labels\"");
        }
        if (classes.Count == 0) throw new DatasetLayoutException(path, "lists no classes");
        var duplicate = classes.GroupBy(c => c.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new DatasetLayoutException(path, $"class id {duplicate.Key} is listed twice");
        return new DatumaroMeta(classes, ReadColors(root, path, classes.Count), ReadBackground(root, path, classes));
    }

    private static string NameOf(JsonElement e, string path, string where) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new DatasetLayoutException(path, $"{where} must be a class name (string)");

    private static Rgba32[]? ReadColors(JsonElement root, string path, int classCount)
    {
        if (!root.TryGetProperty("segmentation_colors", out var colors) || colors.ValueKind == JsonValueKind.Null) return null;
        if (colors.ValueKind != JsonValueKind.Array) throw new DatasetLayoutException(path, "\"segmentation_colors\" must be an array of [r, g, b]");
        var result = new List<Rgba32>();
        foreach (var color in colors.EnumerateArray())
        {
            var channels = color.ValueKind == JsonValueKind.Array ? color.EnumerateArray().ToArray() : [];
            if (channels.Length != 3 || channels.Any(c => c.ValueKind != JsonValueKind.Number || !c.TryGetInt32(out int v) || v is < 0 or > 255))
            {
                throw new DatasetLayoutException(path, $"segmentation_colors[{result.Count}] must be [r, g, b] with values 0..255");
            }
            result.Add(new Rgba32((byte)channels[0].GetInt32(), (byte)channels[1].GetInt32(), (byte)channels[2].GetInt32()));
        }
        if (result.Count != classCount)
        {
            throw new DatasetLayoutException(path, $"\"segmentation_colors\" has {result.Count} colours for {classCount} classes");
        }
        return [.. result];
    }

    private static long? ReadBackground(JsonElement root, string path, List<DatasetClass> classes)
    {
        if (!root.TryGetProperty("background_label", out var background) || background.ValueKind == JsonValueKind.Null) return null;
        long id = background.ValueKind switch
        {
            JsonValueKind.Number when background.TryGetInt64(out long n) => n,
            JsonValueKind.String when long.TryParse(background.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out long s) => s,
            _ => throw new DatasetLayoutException(path, "\"background_label\" must be a class id (number or string)"),
        };
        if (!classes.Any(c => c.Id == id)) throw new DatasetLayoutException(path, $"\"background_label\" {id} is not a listed class id");
        return id;
    }
}
