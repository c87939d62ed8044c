using Exemplar.Models.Quantization;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Exemplar.Torch.Serialization;

namespace Exemplar.Models.Segmentation;

/// <summary>
/// A self-describing supervised segmentation model: a safetensors file holding the network's state dict, whose
/// header metadata entry <see cref="MetadataKey"/> is a JSON object with the format version, the zoo network's name,
/// the class names, the ignore label, the normalisation and size multiple, and where the weights came from. It is
/// what <c>exemplar train</c> writes as <c>checkpoints/best/model.safetensors</c>, and all that <c>exemplar eval
/// --model</c> and <c>exemplar predict</c> need.
/// </summary>
public static class SegmentationModelFile
{
    /// <summary>The safetensors metadata entry holding the description.</summary>
    public const string MetadataKey = "exemplar.segmentation";

    /// <summary>The version of the description this build writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>
    /// The safetensors metadata that makes a state-dict file a model file: PyTorch's <c>format: pt</c> and
    /// <see cref="MetadataKey"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Metadata(SegmentationModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        Check(info);
        var json = new JsonObject
        {
            ["format"] = FormatVersion,
            ["model"] = info.Model,
            ["classes"] = new JsonArray([.. info.Classes.Select(c => (JsonNode?)JsonValue.Create(c))]),
            ["ignore_label"] = info.IgnoreLabel,
            ["mean"] = new JsonArray([.. info.Mean.Select(v => (JsonNode?)JsonValue.Create(v))]),
            ["std"] = new JsonArray([.. info.Std.Select(v => (JsonNode?)JsonValue.Create(v))]),
            ["size_multiple"] = info.SizeMultiple,
            ["trained_on"] = info.TrainedOn,
            ["recipe"] = info.Recipe,
        };
        if (info.Quantization is { } ranges)
        {
            json["quantization"] = new JsonObject([.. ranges.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key,
                (JsonNode?)new JsonArray(kv.Value.Input.Min, kv.Value.Input.Max, kv.Value.Output.Min, kv.Value.Output.Max)))]);
        }
        return new Dictionary<string, string>(StringComparer.Ordinal) { ["format"] = "pt", [MetadataKey] = json.ToJsonString() };
    }

    /// <summary>Writes <paramref name="network"/>'s weights with <paramref name="info"/> to <paramref name="path"/> (atomically).</summary>
    /// <exception cref="ArgumentException">The description does not match the network (class count) or is incomplete.</exception>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public static void Save(string path, SegmentationNetwork network, SegmentationModelInfo info, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(info);
        if (info.Classes.Count != network.ClassCount)
            throw new ArgumentException($"{path}: the description names {info.Classes.Count} classes but the network has {network.ClassCount}", nameof(info));
        var state = network.StateDict();
        SafeTensors.Save(path, state, Metadata(info), overwrite);
    }

    /// <summary>Reads only the description of a model file (no weights are loaded).</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="CheckpointFormatException">It is not a safetensors file, or not a model file (the message names the file and says why).</exception>
    public static SegmentationModelInfo ReadInfo(string path)
    {
        using var file = OpenFile(path);
        return Parse(path, file.Metadata);
    }

    /// <summary>
    /// Rebuilds the network a model file describes and loads its weights strictly: every tensor must be there with
    /// its shape, and nothing more. The network is in evaluation mode; the caller owns (disposes) it. An int8 model
    /// (one with quantisation ranges) comes back folded and fake-quantised: it computes what its int8 graph computes.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="CheckpointFormatException">
    /// Not a safetensors or model file, a network the zoo does not have, or weights that do not fit it (the message
    /// names the file and lists what differs).
    /// </exception>
    public static (SegmentationNetwork Network, SegmentationModelInfo Info) Load(string path)
    {
        using var file = OpenFile(path);
        var info = Parse(path, file.Metadata);
        var zoo = SegmentationZoo.Find(info.Model)
            ?? throw new CheckpointFormatException(path, $"its network '{info.Model}' is not in this build's segmentation zoo ({string.Join(", ", SegmentationZoo.Models.Select(m => m.Name))})");
        var network = zoo.Create(info.Classes.Count, null);
        try
        {
            // An int8 model's weights are in the folded layout: fold first, then load, then set the observed ranges.
            var quantization = info.Quantization is null ? null : NetworkQuantization.Prepare(network);
            Checkpoints.LoadInto(network, path, $"{zoo.Name} with {info.Classes.Count} classes");
            try
            {
                quantization?.Restore(info.Quantization!);
            }
            catch (ArgumentException e)
            {
                throw new CheckpointFormatException(path, $"its quantisation ranges do not fit {zoo.Name}: {e.Message}");
            }
            network.Eval();
            return (network, info);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private static SafeTensorsFile OpenFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such model file", path);
        return SafeTensorsFile.Open(path);
    }

    private static SegmentationModelInfo Parse(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(MetadataKey, out string? text))
        {
            throw new CheckpointFormatException(path,
                $"not an Exemplar segmentation model file: its safetensors metadata has no '{MetadataKey}' entry (exemplar train writes one in checkpoints/best/model.safetensors)");
        }
        JsonObject json;
        try
        {
            json = JsonNode.Parse(text) as JsonObject ?? throw new CheckpointFormatException(path, $"'{MetadataKey}' is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"'{MetadataKey}' is not valid JSON: {e.Message}");
        }
        try
        {
            int version = Required(json, "format").GetValue<int>();
            if (version != FormatVersion) throw new CheckpointFormatException(path, $"model file format {version}; this build reads format {FormatVersion}");
            var info = new SegmentationModelInfo(
                Required(json, "model").GetValue<string>(),
                [.. Required(json, "classes").AsArray().Select(c => c?.GetValue<string>() ?? throw new FormatException("a class name is null"))],
                Required(json, "ignore_label").GetValue<long>(),
                [.. Required(json, "mean").AsArray().Select(v => v?.GetValue<double>() ?? throw new FormatException("a mean is null"))],
                [.. Required(json, "std").AsArray().Select(v => v?.GetValue<double>() ?? throw new FormatException("a std is null"))],
                Required(json, "size_multiple").GetValue<int>(),
                json["trained_on"]?.GetValue<string>(),
                json["recipe"]?.GetValue<string>(),
                json["quantization"] is JsonObject q ? ParseRanges(q) : null);
            Check(info);
            return info;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException)
        {
            throw new CheckpointFormatException(path, $"'{MetadataKey}' is malformed: {e.Message}");
        }
    }

    private static Dictionary<string, QuantizationRanges> ParseRanges(JsonObject json) => json.ToDictionary(
        kv => kv.Key,
        kv => kv.Value is JsonArray { Count: 4 } a
            ? new QuantizationRanges((a[0]!.GetValue<double>(), a[1]!.GetValue<double>()), (a[2]!.GetValue<double>(), a[3]!.GetValue<double>()))
            : throw new FormatException($"quantization range of '{kv.Key}' is not [input min, input max, output min, output max]"),
        StringComparer.Ordinal);

    private static JsonNode Required(JsonObject json, string key) =>
        json[key] ?? throw new FormatException($"it has no '{key}'");

    /// <summary>Refuses a description no network could be used with.</summary>
    private static void Check(SegmentationModelInfo info)
    {
        if (string.IsNullOrWhiteSpace(info.Model)) throw new ArgumentException("the model name is empty", nameof(info));
        if (info.Classes.Count == 0) throw new ArgumentException("a segmentation model needs at least one class", nameof(info));
        if (info.Mean.Count != 3 || info.Std.Count != 3)
            throw new ArgumentException($"mean and std have one value per RGB channel, got {info.Mean.Count} and {info.Std.Count}", nameof(info));
        if (info.Std.Any(s => !(s > 0))) throw new ArgumentException($"std values must be positive, got {string.Join(", ", info.Std.Select(s => s.ToString(CultureInfo.InvariantCulture)))}", nameof(info));
        if (info.SizeMultiple < 1) throw new ArgumentException($"size multiple {info.SizeMultiple} is not positive", nameof(info));
    }
}
