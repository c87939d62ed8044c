using System.Text.Json;
using System.Text.Json.Serialization;
using Exemplar.Torch.Serialization;

namespace Exemplar.InContext;

/// <summary>What a decoder file says about its decoder.</summary>
/// <param name="Encoder">The zoo encoder it was trained on (its features are what it reads).</param>
/// <param name="Levels">The encoder levels it reads, in order.</param>
/// <param name="LevelChannels">Their channels.</param>
/// <param name="Width">Channels inside the decoder.</param>
/// <param name="InputSize">The input size it was trained at (the segmenter's default when it is used).</param>
/// <param name="TrainedOn">The training episodes' data sets.</param>
/// <param name="Recipe">The recipe's file name.</param>
/// <param name="Steps">Optimizer steps behind these weights.</param>
/// <param name="Presence">Whether it has a presence head (files written before there was one have none).</param>
/// <param name="Prior">Whether it reads a mask prior: a propagation decoder, for tracking (files without the key read none).</param>
/// <param name="FineLevel">The finer encoder level its refinement reads, or null for none (<see cref="LearnedDecoder.Fine"/>).</param>
/// <param name="FineChannels">That level's channels (null without one).</param>
public sealed record DecoderInfo(
    [property: JsonPropertyName("encoder")] string Encoder,
    [property: JsonPropertyName("levels")] IReadOnlyList<int> Levels,
    [property: JsonPropertyName("level_channels")] IReadOnlyList<long> LevelChannels,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("input_size")] int InputSize,
    [property: JsonPropertyName("trained_on")] string TrainedOn,
    [property: JsonPropertyName("recipe")] string Recipe,
    [property: JsonPropertyName("steps")] long Steps,
    [property: JsonPropertyName("presence")] bool Presence = false,
    [property: JsonPropertyName("prior")] bool Prior = false,
    [property: JsonPropertyName("fine_level")] int? FineLevel = null,
    [property: JsonPropertyName("fine_channels")] long? FineChannels = null)
{
    /// <summary>The refinement's level as the decoder takes it, or null.</summary>
    [JsonIgnore] public FineLevel? Fine => FineLevel is { } level && FineChannels is { } channels ? new FineLevel(level, channels) : null;
}

/// <summary>
/// A trained <see cref="LearnedDecoder"/> as a safetensors file: its state dict, and <see cref="DecoderInfo"/> as JSON
/// under <see cref="MetadataKey"/> in the header (what <c>exemplar train</c> writes in every checkpoint's
/// <c>model.safetensors</c>, and what <c>segment</c>, <c>eval</c> and <c>export</c> take with <c>--decoder</c>).
/// </summary>
public static class DecoderFile
{
    /// <summary>The safetensors metadata key.</summary>
    public const string MetadataKey = "exemplar.incontext_decoder";

    /// <summary>The metadata that makes a decoder's state-dict file a decoder file.</summary>
    public static IReadOnlyDictionary<string, string> Metadata(DecoderInfo info) =>
        new Dictionary<string, string>(StringComparer.Ordinal) { ["format"] = "pt", [MetadataKey] = JsonSerializer.Serialize(info) };

    /// <summary>Writes a decoder with its description (atomically; an existing file only with <paramref name="overwrite"/>).</summary>
    public static void Save(string path, LearnedDecoder decoder, DecoderInfo info, bool overwrite = false)
    {
        if (!decoder.LevelChannels.SequenceEqual(info.LevelChannels) || decoder.Width != info.Width || (decoder.PresenceHead is not null) != info.Presence || (decoder.PriorProjection is not null) != info.Prior || decoder.Fine != info.Fine)
            throw new ArgumentException($"{path}: the description does not match the decoder (levels {string.Join(",", decoder.LevelChannels)}, width {decoder.Width}, {(decoder.PresenceHead is null ? "no " : "")}presence head, {(decoder.PriorProjection is null ? "no " : "")}mask prior, {(decoder.Fine is { } f ? $"refinement at level {f.Level}" : "no refinement")})", nameof(info));
        SafeTensors.Save(path, decoder.StateDict(), Metadata(info), overwrite);
    }

    /// <summary>Reads only the description.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="CheckpointFormatException">Not a safetensors file, or not a decoder file (the message says why).</exception>
    public static DecoderInfo ReadInfo(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such decoder file", path);
        using var file = SafeTensorsFile.Open(path);
        if (!file.Metadata.TryGetValue(MetadataKey, out string? text))
            throw new CheckpointFormatException(path, $"not an Exemplar in-context decoder file: its safetensors metadata has no '{MetadataKey}' entry (exemplar train with an in-context recipe writes one in checkpoints/best/model.safetensors)");
        DecoderInfo? info;
        try
        {
            info = JsonSerializer.Deserialize<DecoderInfo>(text);
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"'{MetadataKey}' is not a valid decoder description: {e.Message}");
        }
        if (info is null || info.Encoder is null || info.Levels is null || info.LevelChannels is null || info.Levels.Count != info.LevelChannels.Count || info.Levels.Count == 0)
            throw new CheckpointFormatException(path, $"'{MetadataKey}' lacks the encoder, or its levels and channels do not pair up");
        if ((info.FineLevel is null) != (info.FineChannels is null) || info.FineChannels < 1)
            throw new CheckpointFormatException(path, $"'{MetadataKey}' gives a fine level without its channels (or the reverse)");
        return info;
    }

    /// <summary>Builds the decoder the file describes and loads its weights strictly, in evaluation mode; the caller owns it.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="CheckpointFormatException">Not a decoder file, or weights that do not fit the description.</exception>
    public static (LearnedDecoder Decoder, DecoderInfo Info) Load(string path)
    {
        var info = ReadInfo(path);
        var decoder = new LearnedDecoder(info.LevelChannels, info.Width, info.Presence, info.Prior, info.Fine);
        try
        {
            Checkpoints.LoadInto(decoder, path, $"an in-context decoder for {info.Encoder}");
            decoder.Freeze();
            decoder.Eval();
            return (decoder, info);
        }
        catch
        {
            decoder.Dispose();
            throw;
        }
    }

    /// <summary>Checks that a decoder fits a segmenter's encoder and levels.</summary>
    /// <exception cref="ArgumentException">It was trained for another encoder or other levels.</exception>
    public static void CheckFits(string path, DecoderInfo info, string encoderName, IReadOnlyList<int> levels)
    {
        if (!string.Equals(info.Encoder, encoderName, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{path} is a decoder for {info.Encoder}, not for {encoderName}");
        if (!info.Levels.SequenceEqual(levels))
            throw new ArgumentException($"{path} reads levels {string.Join(",", info.Levels)}, the segmenter matches levels {string.Join(",", levels)}");
    }
}
