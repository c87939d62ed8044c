using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Exemplar.Runtime;

/// <summary>One level of encoded examples (float32, row-major).</summary>
/// <param name="Features">[K, C, h, w] L2-normalised features.</param>
/// <param name="Foreground">[K, classes, h, w] fraction of each cell inside each class's mask.</param>
/// <param name="Valid">[K, 1, h, w] fraction of each cell on the image.</param>
/// <param name="Shape">[K, C, h, w].</param>
internal sealed record PromptLevel(float[] Features, float[] Foreground, float[] Valid, long[] Shape);

/// <summary>
/// Encoded examples (SegIC's prompt features): computed once by <see cref="ExemplarModel.Encode"/>, used for any number of
/// targets, saved with <see cref="Save"/> to a file with a SHA-256 checksum of its data.
/// </summary>
public sealed class Prompt : IDisposable
{
    private static readonly byte[] Magic = "EXPROMPT"u8.ToArray();
    private const int MaxHeader = 1 << 20;

    private List<Microsoft.ML.OnnxRuntime.OrtValue>? _values;
    private object? _valuesLock;
    private bool _disposed;

    internal Prompt(string fingerprint, IReadOnlyList<string> classes, IReadOnlyList<PromptLevel> levels, string? source = null, IReadOnlyList<float>? logitOffsets = null)
    {
        if (logitOffsets is not null && OffsetProblem(logitOffsets, classes.Count) is { } problem) throw new ArgumentException(problem, nameof(logitOffsets));
        Fingerprint = fingerprint;
        Classes = classes;
        Levels = levels;
        Source = source;
        LogitOffsets = logitOffsets?.ToArray() ?? new float[classes.Count];
    }

    /// <summary>The file it was loaded from (null for a prompt encoded in this process), for messages.</summary>
    public string? Source { get; }

    /// <summary>The bundle fingerprint of the encoder that made it.</summary>
    public string Fingerprint { get; }

    /// <summary>Class names (label i + 1 in label maps).</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>
    /// Per class, the constant added to a target's logits before the threshold: 0 for an encoded prompt; in-context
    /// tuning (<c>exemplar tune</c>) chooses them on the examples.
    /// </summary>
    public IReadOnlyList<float> LogitOffsets { get; }

    /// <summary>Whether any class has a non-zero <see cref="LogitOffsets"/>.</summary>
    public bool HasLogitOffsets => LogitOffsets.Any(b => b != 0);

    /// <summary>The largest logit offset a prompt may hold (beyond it a logit is saturated).</summary>
    public const float MaxLogitOffset = 30;

    /// <summary>Number of examples.</summary>
    public int ExampleCount => (int)Levels[0].Shape[0];

    internal IReadOnlyList<PromptLevel> Levels { get; }

    /// <summary>Writes the prompt; an existing file is replaced only with <paramref name="overwrite"/>.</summary>
    public void Save(string path, bool overwrite = false)
    {
        var data = new MemoryStream();
        foreach (var level in Levels)
        {
            foreach (var array in new[] { level.Features, level.Foreground, level.Valid })
            {
                data.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(array.AsSpan()));
            }
        }
        var bytes = data.ToArray();
        // Offsets are written only when set, so an untuned prompt's file is the same as before they existed.
        var header = new PromptHeader { Fingerprint = Fingerprint, Classes = [.. Classes], Shapes = [.. Levels.Select(l => l.Shape)], LogitOffsets = HasLogitOffsets ? [.. LogitOffsets] : null };
        var json = JsonSerializer.SerializeToUtf8Bytes(header with { Sha256 = Checksum(header, bytes) });
        OutputFile.Write(path, file =>
        {
            file.Write(Magic);
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, json.Length);
            file.Write(length);
            file.Write(json);
            file.Write(bytes);
        }, overwrite);
    }

    /// <summary>Reads a prompt written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">Not a prompt file, or a damaged one (the message names the file and the problem).</exception>
    public static Prompt Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        InvalidDataException Bad(string problem) => new($"{path}: {problem}");
        if (bytes.Length < Magic.Length + 4 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic)) throw Bad("not an Exemplar.Runtime prompt file");
        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(Magic.Length, 4));
        if (headerLength <= 0 || headerLength > MaxHeader || Magic.Length + 4 + headerLength > bytes.Length) throw Bad($"header length {headerLength} does not fit the file");
        PromptHeader header;
        try
        {
            header = JsonSerializer.Deserialize<PromptHeader>(bytes.AsSpan(Magic.Length + 4, headerLength)) ?? throw Bad("empty header");
        }
        catch (JsonException e)
        {
            throw Bad($"damaged header ({e.Message})");
        }
        if (string.IsNullOrEmpty(header.Fingerprint)) throw Bad("the header has no encoder fingerprint");
        if (header.Classes is not { Length: > 0 } classes || classes.Any(string.IsNullOrEmpty) || classes.Distinct().Count() != classes.Length) throw Bad("the class list is missing, empty or has repeated names");
        if (header.Shapes is not { Length: > 0 } shapes) throw Bad("the header lists no levels");
        var data = bytes.AsMemory(Magic.Length + 4 + headerLength);
        if (classes.Length > ExemplarModel.MaxClasses) throw Bad($"{classes.Length} classes, more than the {ExemplarModel.MaxClasses} a prompt may hold");
        if (Checksum(header with { Sha256 = null }, data.Span) != header.Sha256) throw Bad("checksum mismatch: the header or the data were changed or truncated");
        if (header.LogitOffsets is { } offsets && OffsetProblem(offsets, classes.Length) is { } offsetProblem) throw Bad(offsetProblem);
        var levels = new List<PromptLevel>();
        long offset = 0;
        long examples = -1;
        foreach (var shape in shapes)
        {
            if (shape is not { Length: 4 } || shape.Any(s => s is < 1 or > 1 << 16)) throw Bad("a level shape is not [K, C, h, w] with sane sizes");
            if (examples >= 0 && shape[0] != examples) throw Bad("levels disagree on the number of examples");
            examples = shape[0];
            // Every product is bounded by the data actually present before anything is allocated.
            long cells = shape[0] * shape[2] * shape[3];
            if (cells > data.Length / 4 || cells * shape[1] > data.Length / 4 || cells * classes.Length > data.Length / 4) throw Bad("the data are shorter than the shapes need");
            float[] Take(long count)
            {
                long byteCount = count * 4;
                if (offset + byteCount > data.Length) throw Bad("the data are shorter than the shapes need");
                var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(data.Span.Slice((int)offset, (int)byteCount)).ToArray();
                offset += byteCount;
                foreach (float v in values) if (!float.IsFinite(v)) throw Bad("the data hold NaN or infinite values");
                return values;
            }
            levels.Add(new PromptLevel(Take(cells * shape[1]), Take(cells * classes.Length), Take(cells), shape));
        }
        if (offset != data.Length) throw Bad($"{data.Length - offset} bytes after the last level");
        return new Prompt(header.Fingerprint, classes, levels, path, header.LogitOffsets);
    }

    /// <summary>What is wrong with the offsets (one finite offset per class, each within <see cref="MaxLogitOffset"/>), or null.</summary>
    private static string? OffsetProblem(IReadOnlyList<float> offsets, int classes) =>
        offsets.Count != classes ? $"{offsets.Count} logit offset(s) for {classes} class(es)"
        : offsets.Any(b => !float.IsFinite(b) || Math.Abs(b) > MaxLogitOffset) ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"logit offsets [{string.Join(", ", offsets)}] must be finite and within ±{MaxLogitOffset}")
        : null;

    /// <summary>The examples' features per level (copies, [K, C, h, w] row-major; shapes in <see cref="FeatureShapes"/>).</summary>
    public IReadOnlyList<float[]> Features => [.. Levels.Select(l => (float[])l.Features.Clone())];

    /// <summary>The shape [K, C, h, w] of each level's features.</summary>
    public IReadOnlyList<long[]> FeatureShapes => [.. Levels.Select(l => (long[])l.Shape.Clone())];

    /// <summary>
    /// A prompt with the same examples' masks and these features instead (each cell's vector L2-normalised, as the
    /// prompt graph writes them) and these per-class <see cref="LogitOffsets"/> (null: this prompt's): what in-context
    /// tuning produces. The masks, classes and fingerprint are kept.
    /// </summary>
    /// <exception cref="ArgumentException">A level is missing, has another length, or holds NaN or infinite values; or the offsets are not one finite value per class within <see cref="MaxLogitOffset"/>.</exception>
    public Prompt WithFeatures(IReadOnlyList<float[]> features, IReadOnlyList<float>? logitOffsets = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (features.Count != Levels.Count) throw new ArgumentException($"{features.Count} levels of features for a prompt with {Levels.Count}", nameof(features));
        var levels = new List<PromptLevel>();
        for (int l = 0; l < Levels.Count; l++)
        {
            var level = Levels[l];
            if (features[l].Length != level.Features.Length) throw new ArgumentException($"level {l}: {features[l].Length} values for a [{string.Join(", ", level.Shape)}] level", nameof(features));
            long k = level.Shape[0], c = level.Shape[1], cells = level.Shape[2] * level.Shape[3];
            var normalised = new float[features[l].Length];
            for (long e = 0; e < k; e++)
            {
                for (long p = 0; p < cells; p++)
                {
                    double sum = 0;
                    for (long ch = 0; ch < c; ch++)
                    {
                        float v = features[l][(e * c + ch) * cells + p];
                        if (!float.IsFinite(v)) throw new ArgumentException($"level {l} holds NaN or infinite values", nameof(features));
                        sum += (double)v * v;
                    }
                    // F.normalize's eps: a zero vector stays zero.
                    double scale = 1 / Math.Max(Math.Sqrt(sum), 1e-12);
                    for (long ch = 0; ch < c; ch++) normalised[(e * c + ch) * cells + p] = (float)(features[l][(e * c + ch) * cells + p] * scale);
                }
            }
            levels.Add(level with { Features = normalised });
        }
        return new Prompt(Fingerprint, Classes, levels, Source, logitOffsets ?? LogitOffsets);
    }

    /// <summary>SHA-256 over the header's fields (without the checksum) and the data: neither can change unnoticed.</summary>
    private static string Checksum(PromptHeader header, ReadOnlySpan<byte> data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(header with { Sha256 = null }));
        hash.AppendData(data);
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    /// <summary>
    /// The decoder inputs (features, foreground, valid per level) as ONNX Runtime values over this prompt's arrays,
    /// made once and shared by every segmentation (read-only, so concurrent runs may share them).
    /// </summary>
    internal IReadOnlyList<Microsoft.ML.OnnxRuntime.OrtValue> Values
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return LazyInitializer.EnsureInitialized(ref _values, ref _valuesLock, () =>
            [
                .. Levels.SelectMany(l => new[]
                {
                    Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(l.Features, l.Shape),
                    Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(l.Foreground, [l.Shape[0], Classes.Count, l.Shape[2], l.Shape[3]]),
                    Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(l.Valid, [l.Shape[0], 1, l.Shape[2], l.Shape[3]]),
                }),
            ]);
        }
    }

    /// <summary>Frees the ONNX Runtime values (and unpins the arrays).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var v in _values ?? []) v.Dispose();
    }

    private sealed record PromptHeader
    {
        [JsonPropertyName("fingerprint")] public string? Fingerprint { get; init; }
        [JsonPropertyName("classes")] public string[]? Classes { get; init; }
        [JsonPropertyName("shapes")] public long[][]? Shapes { get; init; }
        [JsonPropertyName("sha256")] public string? Sha256 { get; init; }
        [JsonPropertyName("logit_offsets"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public float[]? LogitOffsets { get; init; }
    }
}
