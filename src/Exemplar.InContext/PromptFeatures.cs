using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Exemplar.Torch;
using Exemplar.Torch.Serialization;

namespace Exemplar.InContext;

/// <summary>The encoded examples at one encoder level.</summary>
/// <param name="Features">[K, C, h, w] features, L2-normalised over C.</param>
/// <param name="Foreground">[K, classes, h, w] fraction of each cell covered by each class's mask.</param>
/// <param name="Valid">[K, 1, h, w] fraction of each cell on the image (not padding).</param>
public sealed record PromptLevel(Tensor Features, Tensor Foreground, Tensor Valid) : IDisposable
{
    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Features.Dispose();
        Foreground.Dispose();
        Valid.Dispose();
    }
}

/// <summary>
/// Encoded examples (SegIC's prompt features): what the segmenter needs from the examples, computed once and reused for
/// any number of targets; saved to and loaded from a safetensors file.
/// </summary>
public sealed class PromptFeatures : IDisposable
{
    private const string FormatVersion = "exemplar-prompts-1";

    /// <summary>Creates the features (the object owns the levels).</summary>
    /// <param name="encoderName">The encoder's zoo name.</param>
    /// <param name="encoderFingerprint">Its weights' fingerprint.</param>
    /// <param name="inputSize">The square input side.</param>
    /// <param name="levels">The encoder levels.</param>
    /// <param name="classNames">The class names.</param>
    /// <param name="levelFeatures">Per level, the encoded examples.</param>
    /// <param name="logitOffsets">Per class, a constant added to the target's logits (in-context tuning's); null: none.</param>
    public PromptFeatures(string encoderName, string encoderFingerprint, int inputSize, IReadOnlyList<int> levels, IReadOnlyList<string> classNames, IReadOnlyList<PromptLevel> levelFeatures, IReadOnlyList<float>? logitOffsets = null)
    {
        if (levels.Count != levelFeatures.Count) throw new ArgumentException("one feature set per level is needed");
        if (OffsetProblem(logitOffsets, classNames.Count) is { } problem) throw new ArgumentException(problem, nameof(logitOffsets));
        foreach (var level in levelFeatures)
        {
            long k = level.Features.Size(0);
            if (level.Features.Dim != 4 || level.Foreground.Dim != 4 || level.Valid.Dim != 4
                || level.Foreground.Size(0) != k || level.Valid.Size(0) != k || level.Valid.Size(1) != 1
                || level.Foreground.Size(1) != classNames.Count
                || level.Foreground.Size(2) != level.Features.Size(2) || level.Foreground.Size(3) != level.Features.Size(3)
                || level.Valid.Size(2) != level.Features.Size(2) || level.Valid.Size(3) != level.Features.Size(3))
            {
                throw new ArgumentException($"inconsistent prompt level: features [{string.Join(", ", level.Features.Shape)}], foreground [{string.Join(", ", level.Foreground.Shape)}], valid [{string.Join(", ", level.Valid.Shape)}] for {classNames.Count} class(es)");
            }
        }
        EncoderName = encoderName;
        EncoderFingerprint = encoderFingerprint;
        InputSize = inputSize;
        Levels = levels;
        ClassNames = classNames;
        LevelFeatures = levelFeatures;
        LogitOffsets = logitOffsets?.ToArray() ?? new float[classNames.Count];
    }

    /// <summary>The zoo name of the encoder that produced them; targets must be encoded by the same.</summary>
    public string EncoderName { get; }

    /// <summary>Identifies the encoder's weights (see <see cref="InContext.EncoderFingerprint"/>): prompts only work with the same weights.</summary>
    public string EncoderFingerprint { get; }

    /// <summary>The square input side used.</summary>
    public int InputSize { get; }

    /// <summary>The encoder levels.</summary>
    public IReadOnlyList<int> Levels { get; }

    /// <summary>Class names (label i + 1 in label maps).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Per level, the example features and mask coverage.</summary>
    public IReadOnlyList<PromptLevel> LevelFeatures { get; }

    /// <summary>
    /// Per class, the constant the segmenter adds to a target's logits (0 for an encoded prompt; in-context tuning
    /// chooses them on the examples, <see cref="Tuning.PromptTuner"/>).
    /// </summary>
    public IReadOnlyList<float> LogitOffsets { get; }

    /// <summary>Whether any class has a non-zero <see cref="LogitOffsets"/>.</summary>
    public bool HasLogitOffsets => LogitOffsets.Any(b => b != 0);

    /// <summary>The largest offset a prompt may hold (tuning searches far less; beyond this a logit is saturated).</summary>
    public const float MaxLogitOffset = 30;

    /// <summary>The prompt file these were loaded from (null when encoded in this process): errors about them name it.</summary>
    public string? SourcePath { get; private init; }

    /// <summary>How errors about these prompts name them: the file, or "the prompts".</summary>
    internal string Describe() => SourcePath is null ? "the prompts" : $"the prompts of {SourcePath}";

    /// <summary>Number of examples.</summary>
    public long ExampleCount => LevelFeatures[0].Features.Size(0);

    /// <summary>Largest input side a prompt file may give (a 16k square image is far beyond any encoder's use).</summary>
    internal const int MaxInputSize = 16384;

    /// <summary>Most encoder levels a prompt file may list.</summary>
    private const int MaxLevels = 64;

    /// <summary>
    /// Writes the features to a safetensors file, with a SHA-256 of the tensors in its header; an existing file is
    /// replaced only with <paramref name="overwrite"/>.
    /// </summary>
    public void Save(string path, bool overwrite = false)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < LevelFeatures.Count; i++)
        {
            tensors[$"level{i}.features"] = LevelFeatures[i].Features;
            tensors[$"level{i}.foreground"] = LevelFeatures[i].Foreground;
            tensors[$"level{i}.valid"] = LevelFeatures[i].Valid;
        }
        var metadata = new Dictionary<string, string>
        {
            ["format"] = FormatVersion,
            ["encoder"] = EncoderName,
            ["encoder_fingerprint"] = EncoderFingerprint,
            ["input_size"] = InputSize.ToString(CultureInfo.InvariantCulture),
            ["levels"] = JsonSerializer.Serialize(Levels),
            ["classes"] = JsonSerializer.Serialize(ClassNames),
            ["tensor_sha256"] = Checksum(tensors, HasLogitOffsets ? LogitOffsets : null),
        };
        // Written only when set, so an untuned prompt's file is the same as before offsets existed.
        if (HasLogitOffsets) metadata["logit_offsets"] = JsonSerializer.Serialize(LogitOffsets);
        SafeTensors.Save(path, tensors, metadata, overwrite);
    }

    /// <summary>
    /// Reads features written by <see cref="Save"/>, checking everything: the header fields (format, encoder,
    /// fingerprint, input size, levels, classes), the tensors' names, types and shapes, the SHA-256 of their bytes
    /// (so a damaged file is refused, not used), and their values (finite; mask coverage in [0, 1]).
    /// </summary>
    /// <exception cref="CheckpointFormatException">
    /// The file is not an Exemplar prompt file or is damaged; the message names the file and says what is wrong.
    /// </exception>
    public static PromptFeatures Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = SafeTensorsFile.Open(path);
        var perLevel = new List<PromptLevel>();
        try
        {
            var meta = file.Metadata;
            string format = meta.GetValueOrDefault("format") ?? "missing";
            if (format != FormatVersion) throw new CheckpointFormatException(path, $"not an Exemplar prompt file (format '{format}', expected '{FormatVersion}')");
            string encoder = NonEmpty(meta, "encoder");
            string fingerprint = NonEmpty(meta, "encoder_fingerprint");
            string inputText = NonEmpty(meta, "input_size");
            if (!int.TryParse(inputText, NumberStyles.None, CultureInfo.InvariantCulture, out int inputSize) || inputSize is < 1 or > MaxInputSize)
            {
                throw new FormatException($"input_size '{inputText}' is not a whole number from 1 to {MaxInputSize}");
            }
            var levels = ParseLevels(NonEmpty(meta, "levels"));
            var classes = ParseClasses(NonEmpty(meta, "classes"));
            string checksum = meta.GetValueOrDefault("tensor_sha256")
                ?? throw new FormatException("the header has no 'tensor_sha256' (an older Exemplar's file, or an edited one): encode the prompts again");
            float[]? offsets = meta.TryGetValue("logit_offsets", out var offsetText) ? ParseOffsets(offsetText, classes.Length) : null;

            var expected = Enumerable.Range(0, levels.Length).SelectMany(i => new[] { $"level{i}.features", $"level{i}.foreground", $"level{i}.valid" }).ToHashSet(StringComparer.Ordinal);
            if (!expected.SetEquals(file.Keys))
            {
                throw new FormatException($"the tensors are [{string.Join(", ", file.Keys)}]; {levels.Length} level(s) need exactly [{string.Join(", ", expected.Order(StringComparer.Ordinal))}]");
            }
            foreach (string name in file.Keys)
            {
                var info = file.Info(name);
                if (info.DType != DType.Float32 || info.Shape.Length != 4 || info.Shape.Any(d => d < 1))
                {
                    throw new FormatException($"tensor '{name}' is {info.DType} [{string.Join(", ", info.Shape)}]; prompt tensors are float32 with 4 non-empty dimensions");
                }
            }
            var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            for (int i = 0; i < levels.Length; i++)
            {
                perLevel.Add(new PromptLevel(
                    file.Load($"level{i}.features").DetachFromScope(),
                    file.Load($"level{i}.foreground").DetachFromScope(),
                    file.Load($"level{i}.valid").DetachFromScope()));
                tensors[$"level{i}.features"] = perLevel[i].Features;
                tensors[$"level{i}.foreground"] = perLevel[i].Foreground;
                tensors[$"level{i}.valid"] = perLevel[i].Valid;
            }
            string actual = Checksum(tensors, offsets);
            if (!string.Equals(actual, checksum, StringComparison.Ordinal))
            {
                throw new FormatException($"the tensor data (and logit offsets) do not match their checksum (tensor_sha256 {checksum}, they hash to {actual}): the file is damaged");
            }
            foreach (var (name, t) in tensors) CheckValues(name, t);
            return new PromptFeatures(encoder, fingerprint, inputSize, levels, classes, perLevel, offsets) { SourcePath = path };
        }
        catch (Exception e)
        {
            foreach (var level in perLevel) level.Dispose();
            if (e is CheckpointFormatException) throw;
            throw new CheckpointFormatException(path, $"damaged prompt file: {e.Message}", e);
        }
    }

    /// <summary>SHA-256 (hex) over each tensor's name, shape and bytes, in name order, then the logit offsets when there are any.</summary>
    internal static string Checksum(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyList<float>? logitOffsets = null)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, t) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{name}:{string.Join("x", t.Shape)}:{t.DType};"));
            hash.AppendData(t.ToBytes());
        }
        if (logitOffsets is not null)
        {
            hash.AppendData("logit_offsets;"u8);
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(logitOffsets.ToArray().AsSpan()));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string NonEmpty(IReadOnlyDictionary<string, string> meta, string key) =>
        meta.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : throw new FormatException($"the header has no '{key}'");

    private static int[] ParseLevels(string json)
    {
        var levels = JsonSerializer.Deserialize<int[]?>(json) ?? throw new FormatException("levels is null");
        // Levels may count from the end (-1 is the last, as DINOv2's defaults are).
        if (levels.Length is 0 or > MaxLevels || levels.Any(l => Math.Abs(l) > MaxLevels) || levels.Distinct().Count() != levels.Length)
        {
            throw new FormatException($"levels {json} must be 1 to {MaxLevels} distinct encoder levels from -{MaxLevels} to {MaxLevels}");
        }
        return levels;
    }

    private static float[] ParseOffsets(string json, int classes)
    {
        var offsets = JsonSerializer.Deserialize<float[]?>(json) ?? throw new FormatException("logit_offsets is null");
        return OffsetProblem(offsets, classes) is { } problem ? throw new FormatException(problem) : offsets;
    }

    /// <summary>What is wrong with the offsets (one finite offset per class, each within <see cref="MaxLogitOffset"/>), or null.</summary>
    private static string? OffsetProblem(IReadOnlyList<float>? offsets, int classes) =>
        offsets is null ? null
        : offsets.Count != classes ? $"{offsets.Count} logit offset(s) for {classes} class(es)"
        : offsets.Any(b => !float.IsFinite(b) || Math.Abs(b) > MaxLogitOffset) ? string.Create(CultureInfo.InvariantCulture, $"logit offsets [{string.Join(", ", offsets)}] must be finite and within ±{MaxLogitOffset}")
        : null;

    private static string[] ParseClasses(string json)
    {
        var classes = JsonSerializer.Deserialize<string?[]?>(json) ?? throw new FormatException("the class list is null");
        if (classes.Length == 0) throw new FormatException("the class list is empty");
        if (classes.Any(string.IsNullOrWhiteSpace)) throw new FormatException($"the class list {json} holds a null or empty name");
        if (classes.Distinct(StringComparer.Ordinal).Count() != classes.Length) throw new FormatException($"the class list {json} names a class twice");
        return classes!;
    }

    /// <summary>Features must be finite; foreground and valid are fractions of a cell, so in [0, 1].</summary>
    private static void CheckValues(string name, Tensor t)
    {
        using var scope = DisposeScope.Begin();
        double min = t.Min().ToDouble(), max = t.Max().ToDouble();
        if (!double.IsFinite(min) || !double.IsFinite(max)) // max and min are NaN where any value is
        {
            throw new FormatException($"tensor '{name}' holds non-finite values (NaN or infinity)");
        }
        if (!name.EndsWith(".features", StringComparison.Ordinal) && (min < 0 || max > 1))
        {
            throw new FormatException($"tensor '{name}' holds values from {min} to {max}; mask coverage goes from 0 to 1");
        }
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        foreach (var level in LevelFeatures) level.Dispose();
    }
}
