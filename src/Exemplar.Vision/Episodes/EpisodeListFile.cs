using System.Text;
using System.Text.Json;
using Exemplar.Torch.IO;
using Exemplar.Vision.IO;

namespace Exemplar.Vision.Episodes;

/// <summary>
/// Writes and reads <see cref="EpisodeList"/>s as JSON:
/// <c>{"protocol": "HsnetFss", "dataset": "…", "shots": 1, "seed": 0, "fold": null, "episodes": [{"classId": 760,
/// "className": "…", "classLabel": 1, "query": {"index": 0, "id": "…", "image": "…", "mask": "…"}, "support": [ … ]}]}</c>.
/// Paths are relative to the data set root, so a list can be shared between machines.
/// </summary>
public static class EpisodeListFile
{
    /// <summary>The JSON text of <paramref name="list"/> (indented).</summary>
    public static string ToJson(EpisodeList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("protocol", list.Protocol.ToString());
            w.WriteString("dataset", list.Dataset);
            w.WriteNumber("shots", list.Shots);
            w.WriteNumber("seed", list.Seed);
            if (list.Fold is int fold) w.WriteNumber("fold", fold);
            else w.WriteNull("fold");
            w.WriteStartArray("episodes");
            foreach (var e in list.Episodes)
            {
                w.WriteStartObject();
                w.WriteNumber("classId", e.ClassId);
                w.WriteString("className", e.ClassName);
                w.WriteNumber("classLabel", e.ClassLabel);
                w.WritePropertyName("query");
                WriteItem(w, e.Query);
                w.WriteStartArray("support");
                foreach (var s in e.Support) WriteItem(w, s);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Parses the JSON of an episode list; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The text is not JSON, or a field is missing or of the wrong kind (the message says which).</exception>
    public static EpisodeList FromJson(string json, string sourceName = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            string protocolName = Str(root, "protocol", sourceName, "the list");
            if (!Enum.TryParse<EpisodeProtocol>(protocolName, out var protocol) || !Enum.IsDefined(protocol))
            {
                throw new InvalidDataException($"{sourceName}: unknown protocol \"{protocolName}\" (known: {string.Join(", ", Enum.GetNames<EpisodeProtocol>())})");
            }
            int? fold = root.TryGetProperty("fold", out var f) && f.ValueKind != JsonValueKind.Null ? Int(root, "fold", sourceName, "the list") : null;
            var episodes = Arr(root, "episodes", sourceName, "the list").EnumerateArray().Select((e, i) =>
            {
                string where = $"episode {i}";
                var support = Arr(e, "support", sourceName, where).EnumerateArray().Select((s, k) => ReadItem(s, sourceName, $"{where} support {k}")).ToArray();
                var query = e.TryGetProperty("query", out var q) ? ReadItem(q, sourceName, $"{where} query") : throw Missing(sourceName, where, "query");
                return new Episode(query, support, Int(e, "classId", sourceName, where), Str(e, "className", sourceName, where), Long(e, "classLabel", sourceName, where));
            }).ToArray();
            long seed = Long(root, "seed", sourceName, "the list");
            if (seed is < 0 or > uint.MaxValue) throw new InvalidDataException($"{sourceName}: seed {seed} is outside 0..{uint.MaxValue}");
            return new EpisodeList(protocol, Str(root, "dataset", sourceName, "the list"), Int(root, "shots", sourceName, "the list"), (uint)seed, fold, episodes);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{sourceName}: not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Writes <paramref name="list"/> to <paramref name="path"/> as JSON.</summary>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public static void Write(string path, EpisodeList list, bool overwrite = false) => AtomicFile.WriteAllText(path, ToJson(list), overwrite);

    /// <summary>Reads an episode list written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not an episode list (the message names it).</exception>
    public static EpisodeList Read(string path) => FromJson(File.ReadAllText(path), path);

    private static void WriteItem(Utf8JsonWriter w, EpisodeItem item)
    {
        w.WriteStartObject();
        w.WriteNumber("index", item.Index);
        w.WriteString("id", item.Id);
        w.WriteString("image", item.Image);
        if (item.Mask is null) w.WriteNull("mask");
        else w.WriteString("mask", item.Mask);
        w.WriteEndObject();
    }

    private static EpisodeItem ReadItem(JsonElement e, string source, string where)
    {
        string? mask = e.ValueKind == JsonValueKind.Object && e.TryGetProperty("mask", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        return new EpisodeItem(Int(e, "index", source, where), Str(e, "id", source, where), Str(e, "image", source, where), mask);
    }

    private static InvalidDataException Missing(string source, string where, string name) => new($"{source}: {where} has no valid \"{name}\"");

    private static JsonElement Get(JsonElement e, string name, JsonValueKind kind, string source, string where) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == kind ? v : throw Missing(source, where, name);

    private static string Str(JsonElement e, string name, string source, string where) => Get(e, name, JsonValueKind.String, source, where).GetString()!;

    private static JsonElement Arr(JsonElement e, string name, string source, string where) => Get(e, name, JsonValueKind.Array, source, where);

    private static long Long(JsonElement e, string name, string source, string where) =>
        Get(e, name, JsonValueKind.Number, source, where).TryGetInt64(out long v) ? v : throw Missing(source, where, name);

    private static int Int(JsonElement e, string name, string source, string where) =>
        Get(e, name, JsonValueKind.Number, source, where).TryGetInt32(out int v) ? v : throw Missing(source, where, name);
}
