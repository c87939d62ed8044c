using System.Globalization;
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
    public PromptFeatures(string encoderName, string encoderFingerprint, int inputSize, IReadOnlyList<int> levels, IReadOnlyList<string> classNames, IReadOnlyList<PromptLevel> levelFeatures)
    {
        if (levels.Count != levelFeatures.Count) throw new ArgumentException("one feature set per level is needed");
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

    /// <summary>Number of examples.</summary>
    public long ExampleCount => LevelFeatures[0].Features.Size(0);

    /// <summary>Writes the features to a safetensors file; an existing file is replaced only with <paramref name="overwrite"/>.</summary>
    public void Save(string path, bool overwrite = false)
    {
        var tensors = new Dictionary<string, Tensor>();
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
        };
        SafeTensors.Save(path, tensors, metadata, overwrite);
    }

    /// <summary>Reads features written by <see cref="Save"/>.</summary>
    /// <exception cref="CheckpointFormatException">The file is not an Exemplar prompt file (the message says why).</exception>
    public static PromptFeatures Load(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        var meta = file.Metadata;
        if (!meta.TryGetValue("format", out var format) || format != FormatVersion)
        {
            throw new CheckpointFormatException(path, $"not an Exemplar prompt file (format '{format ?? "missing"}', expected '{FormatVersion}')");
        }
        var perLevel = new List<PromptLevel>();
        try
        {
            var levels = JsonSerializer.Deserialize<int[]>(meta["levels"])!;
            var classes = JsonSerializer.Deserialize<string[]>(meta["classes"])!;
            for (int i = 0; i < levels.Length; i++)
            {
                perLevel.Add(new PromptLevel(
                    file.Load($"level{i}.features").DetachFromScope(),
                    file.Load($"level{i}.foreground").DetachFromScope(),
                    file.Load($"level{i}.valid").DetachFromScope()));
            }
            return new PromptFeatures(meta["encoder"], meta["encoder_fingerprint"], int.Parse(meta["input_size"], CultureInfo.InvariantCulture), levels, classes, perLevel);
        }
        catch (Exception e) when (e is KeyNotFoundException or JsonException or FormatException or ArgumentException)
        {
            foreach (var level in perLevel) level.Dispose();
            throw new CheckpointFormatException(path, $"damaged prompt file ({e.Message})", e);
        }
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        foreach (var level in LevelFeatures) level.Dispose();
    }
}
