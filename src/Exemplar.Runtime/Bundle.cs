using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Exemplar.Runtime;

/// <summary>
/// The manifest of an <c>.exemplar</c> bundle (written by <c>exemplar export</c>; the field names are the format):
/// which graphs it holds and how the model was made.
/// </summary>
public sealed record BundleInfo
{
    /// <summary>The only format this runtime reads.</summary>
    public const string SupportedFormat = "exemplar-bundle-1";

    /// <summary>Format tag.</summary>
    [JsonPropertyName("format")] public string Format { get; init; } = "";

    /// <summary>The bundle's name.</summary>
    [JsonPropertyName("name")] public string Name { get; init; } = "";

    /// <summary>Its version.</summary>
    [JsonPropertyName("version")] public string Version { get; init; } = "";

    /// <summary>The encoder (Exemplar's zoo name).</summary>
    [JsonPropertyName("encoder")] public string Encoder { get; init; } = "";

    /// <summary>"float32" or "int8".</summary>
    [JsonPropertyName("precision")] public string Precision { get; init; } = "";

    /// <summary>The decoder kind.</summary>
    [JsonPropertyName("decoder")] public string Decoder { get; init; } = "";

    /// <summary>The square input side the images are resized and padded to.</summary>
    [JsonPropertyName("input_size")] public int InputSize { get; init; }

    /// <summary>RGB normalisation mean.</summary>
    [JsonPropertyName("mean")] public double[] Mean { get; init; } = [];

    /// <summary>RGB normalisation standard deviation.</summary>
    [JsonPropertyName("std")] public double[] Std { get; init; } = [];

    /// <summary>Encoder levels matched.</summary>
    [JsonPropertyName("levels")] public int[] Levels { get; init; } = [];

    /// <summary>Channels per level.</summary>
    [JsonPropertyName("level_channels")] public long[] LevelChannels { get; init; } = [];

    /// <summary>Stride per level.</summary>
    [JsonPropertyName("level_strides")] public int[] LevelStrides { get; init; } = [];

    /// <summary>
    /// The finer encoder level a decoder graph refines at, or null: with one, the encoder graph gives a last output,
    /// <c>fine</c>, which the decoder and tracker graphs may take after the level maps.
    /// </summary>
    [JsonPropertyName("fine_level")] public int? FineLevel { get; init; }

    /// <summary>Channels of the fine map (with <see cref="FineLevel"/>).</summary>
    [JsonPropertyName("fine_channels")] public long? FineChannels { get; init; }

    /// <summary>Input pixels per cell of the fine map (with <see cref="FineLevel"/>).</summary>
    [JsonPropertyName("fine_stride")] public int? FineStride { get; init; }

    /// <summary>The encoder graph's output a refining decoder graph reads.</summary>
    public const string FineInput = "fine";

    /// <summary>Default threshold.</summary>
    [JsonPropertyName("threshold")] public double Threshold { get; init; }

    /// <summary>Fixed class names, or null.</summary>
    [JsonPropertyName("classes")] public string[]? Classes { get; init; }

    /// <summary>Where the weights come from.</summary>
    [JsonPropertyName("weights_source")] public string WeightsSource { get; init; } = "";

    /// <summary>The weights' licence.</summary>
    [JsonPropertyName("weights_licence")] public string WeightsLicence { get; init; } = "";

    /// <summary>Identifies the encoder graph; prompts carry it.</summary>
    [JsonPropertyName("fingerprint")] public string Fingerprint { get; init; } = "";

    /// <summary>Graph files by role.</summary>
    [JsonPropertyName("graphs")] public Dictionary<string, string> Graphs { get; init; } = [];

    /// <summary>The decoder of a bundle that segments by example.</summary>
    public const string CorrespondenceDecoder = "correspondence";

    /// <summary>The decoder of a supervised network's bundle (fixed classes, no examples).</summary>
    public const string SupervisedDecoder = "supervised";

    /// <summary>Whether the bundle is a supervised network (segment without examples) rather than one that segments by example.</summary>
    [JsonIgnore] public bool IsSupervised => Decoder == SupervisedDecoder;

    /// <summary>
    /// The optional graph of a bundle that segments by example: the decoder with one more input, <c>prior</c>
    /// [1, classes, S, S], where each class was in the previous frame (a propagation decoder, which
    /// <see cref="VideoTracker"/> uses when the bundle has one).
    /// </summary>
    public const string TrackerRole = "tracker";

    /// <summary>Whether the bundle holds a <see cref="TrackerRole"/> graph.</summary>
    [JsonIgnore] public bool HasTracker => !IsSupervised && Graphs.ContainsKey(TrackerRole);

    /// <summary>The graphs a bundle of this kind chains.</summary>
    internal string[] Roles => IsSupervised ? ["image", "network", "restore"] : ["image", "encoder", "prompt", "decoder", "restore"];

    /// <summary>The graphs it reads: <see cref="Roles"/>, and the tracker's where the manifest names one.</summary>
    internal string[] GraphsToRead => HasTracker ? [.. Roles, TrackerRole] : Roles;

    /// <summary>Reads the manifest and the graphs' bytes from a bundle file.</summary>
    /// <exception cref="InvalidDataException">Not a bundle, or a damaged one (the message names the file and the problem).</exception>
    internal static (BundleInfo Info, Dictionary<string, byte[]> Graphs) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such model bundle", path);
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var manifestEntry = zip.GetEntry("manifest.json") ?? throw new InvalidDataException($"{path}: not an Exemplar bundle (no manifest.json inside)");
            BundleInfo info;
            using (var stream = manifestEntry.Open())
            {
                info = JsonSerializer.Deserialize<BundleInfo>(stream) ?? throw new InvalidDataException($"{path}: manifest.json is empty");
            }
            if (info.Format != SupportedFormat) throw new InvalidDataException($"{path}: bundle format '{info.Format}', this runtime reads '{SupportedFormat}'");
            if (info.InputSize is < 16 or > 4096) throw new InvalidDataException($"{path}: input_size {info.InputSize} is out of range");
            if (info.Decoder is not (CorrespondenceDecoder or SupervisedDecoder)) throw new InvalidDataException($"{path}: decoder '{info.Decoder}' is neither '{CorrespondenceDecoder}' nor '{SupervisedDecoder}'");
            if (info.IsSupervised)
            {
                if (info.Classes is not { Length: > 0 and <= 254 } || info.Classes.Any(string.IsNullOrEmpty))
                    throw new InvalidDataException($"{path}: a supervised bundle names its classes (1 to 254 non-empty names)");
            }
            else
            {
                // Null in the JSON overwrites the empty defaults: every list the runtime reads must be there.
                if (info.Levels is not { Length: > 0 } || info.LevelChannels is null || info.LevelChannels.Length != info.Levels.Length || info.LevelChannels.Any(c => c < 1))
                {
                    throw new InvalidDataException($"{path}: levels and level_channels are missing or do not match");
                }
                if (info.LevelStrides is null || info.LevelStrides.Length != info.Levels.Length || info.LevelStrides.Any(st => st < 1 || info.InputSize % st != 0))
                {
                    throw new InvalidDataException($"{path}: level_strides are missing or do not divide input_size {info.InputSize}");
                }
                if (info.FineLevel is not null && (info.FineChannels is not > 0 || info.FineStride is not > 0 || info.InputSize % info.FineStride != 0))
                {
                    throw new InvalidDataException($"{path}: fine_level {info.FineLevel} needs fine_channels and a fine_stride that divides input_size {info.InputSize}");
                }
                if (info.Threshold is not (> 0 and < 1)) throw new InvalidDataException($"{path}: threshold {info.Threshold} is not in (0, 1)");
            }
            if (info.Graphs is null || string.IsNullOrEmpty(info.Fingerprint)) throw new InvalidDataException($"{path}: the manifest lacks its graphs or fingerprint");
            var graphs = new Dictionary<string, byte[]>();
            foreach (var role in info.GraphsToRead)
            {
                if (!info.Graphs.TryGetValue(role, out var file)) throw new InvalidDataException($"{path}: the manifest names no '{role}' graph");
                var entry = zip.GetEntry(file) ?? throw new InvalidDataException($"{path}: the '{role}' graph {file} is missing");
                if (entry.Length >= int.MaxValue) throw new InvalidDataException($"{path}: {file} is 2 GiB or larger");
                using var stream = entry.Open();
                using var copy = new MemoryStream((int)entry.Length);
                stream.CopyTo(copy);
                graphs[role] = copy.ToArray();
            }
            return (info, graphs);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or NotSupportedException or IOException and not FileNotFoundException)
        {
            throw e is InvalidDataException ide && ide.Message.StartsWith(path, StringComparison.Ordinal)
                ? ide
                : new InvalidDataException($"{path}: not a readable Exemplar bundle ({e.Message})", e);
        }
    }
}
