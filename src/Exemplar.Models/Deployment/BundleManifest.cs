using System.Text.Json.Serialization;

namespace Exemplar.Models.Deployment;

/// <summary>
/// The <c>manifest.json</c> of an <c>.exemplar</c> bundle: a zip of ONNX graphs that Exemplar.Runtime chains with ONNX
/// Runtime — <c>image</c> (resize, pad, normalise) → <c>encoder</c> (feature maps at <see cref="Levels"/>) →
/// <c>prompt</c> (examples: normalised features and mask coverage per level) or <c>decoder</c> (targets: class logits
/// at the input size) → <c>restore</c> (original size, probabilities, labels); a supervised network's bundle chains
/// <c>image</c> → <c>network</c> (class logits) → <c>restore</c> (softmax, argmax). Exemplar.Runtime reads the same JSON
/// with its own record (it depends on nothing of Exemplar's), so the field names are the format.
/// </summary>
public sealed record BundleManifest
{
    /// <summary>The format tag written by this version.</summary>
    public const string CurrentFormat = "exemplar-bundle-1";

    /// <summary>Always <see cref="CurrentFormat"/>.</summary>
    [JsonPropertyName("format")] public string Format { get; init; } = CurrentFormat;

    /// <summary>The bundle's name.</summary>
    [JsonPropertyName("name")] public required string Name { get; init; }

    /// <summary>The bundle's version.</summary>
    [JsonPropertyName("version")] public string Version { get; init; } = "1";

    /// <summary>The zoo encoder.</summary>
    [JsonPropertyName("encoder")] public required string Encoder { get; init; }

    /// <summary>"float32" or "int8" (the encoder's arithmetic in ONNX Runtime).</summary>
    [JsonPropertyName("precision")] public required string Precision { get; init; }

    /// <summary>
    /// The decoder: "correspondence" (segments by example from the prompt's correspondences, training-free or a trained
    /// light decoder: the graphs' inputs are the same) or "supervised" (a trained network with fixed <see cref="Classes"/>).
    /// </summary>
    [JsonPropertyName("decoder")] public string Decoder { get; init; } = CorrespondenceDecoder;

    /// <summary>The <see cref="Decoder"/> of a bundle that segments by example: graphs image, encoder, prompt, decoder, restore.</summary>
    public const string CorrespondenceDecoder = "correspondence";

    /// <summary>The <see cref="Decoder"/> of a supervised network's bundle: graphs image, network, restore; no levels; classes fixed.</summary>
    public const string SupervisedDecoder = "supervised";

    /// <summary>The square input side S.</summary>
    [JsonPropertyName("input_size")] public required int InputSize { get; init; }

    /// <summary>Per-channel RGB mean in [0, 1] (baked into the image graph; recorded for users).</summary>
    [JsonPropertyName("mean")] public required double[] Mean { get; init; }

    /// <summary>Per-channel RGB standard deviation.</summary>
    [JsonPropertyName("std")] public required double[] Std { get; init; }

    /// <summary>The encoder levels the decoder matches.</summary>
    [JsonPropertyName("levels")] public required int[] Levels { get; init; }

    /// <summary>Channels of each level's map.</summary>
    [JsonPropertyName("level_channels")] public required long[] LevelChannels { get; init; }

    /// <summary>Input pixels per cell of each level's map.</summary>
    [JsonPropertyName("level_strides")] public required int[] LevelStrides { get; init; }

    /// <summary>
    /// The finer encoder level a decoder graph refines at (the encoder graph then gives a last output, <c>fine</c>,
    /// which a refining decoder or tracker graph takes after the level maps), or null (absent) for none.
    /// </summary>
    [JsonPropertyName("fine_level")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? FineLevel { get; init; }

    /// <summary>The encoder graph's last output with a <see cref="FineLevel"/>, and the refining decoder graphs' input.</summary>
    public const string FineOutput = "fine";

    /// <summary>Channels of the fine map (with <see cref="FineLevel"/>).</summary>
    [JsonPropertyName("fine_channels")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? FineChannels { get; init; }

    /// <summary>Input pixels per cell of the fine map (with <see cref="FineLevel"/>).</summary>
    [JsonPropertyName("fine_stride")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? FineStride { get; init; }

    /// <summary>The default probability threshold.</summary>
    [JsonPropertyName("threshold")] public double Threshold { get; init; } = 0.5;

    /// <summary>Class names when the bundle fixes them (null: the examples name them).</summary>
    [JsonPropertyName("classes")] public string[]? Classes { get; init; }

    /// <summary>Where the encoder's weights come from.</summary>
    [JsonPropertyName("weights_source")] public required string WeightsSource { get; init; }

    /// <summary>The weights' licence.</summary>
    [JsonPropertyName("weights_licence")] public required string WeightsLicence { get; init; }

    /// <summary>SHA-256 (hex, 16 digits) of the image, encoder and prompt graphs, input size and levels: prompts record it and only work with bundles that share it.</summary>
    [JsonPropertyName("fingerprint")] public required string Fingerprint { get; init; }

    /// <summary>Graph file names in the zip, by role: image, encoder, prompt, decoder, restore.</summary>
    [JsonPropertyName("graphs")] public required Dictionary<string, string> Graphs { get; init; }
}
