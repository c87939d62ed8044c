using Exemplar.Models;
using Exemplar.Torch;

namespace Exemplar.InContext;

/// <summary>
/// Encodes examples into <see cref="PromptFeatures"/> (SegIC's prompt-feature extractor): each example image resized on
/// its own, encoded at the configured levels, and its masks reduced to per-cell coverage at each level's resolution.
/// </summary>
public sealed class PromptEncoder(IImageEncoder encoder, string encoderName, SegmenterOptions options)
{
    private string? _fingerprint;

    /// <summary>The encoder's weight fingerprint (computed once), recorded in the features it encodes.</summary>
    public string Fingerprint => _fingerprint ??= EncoderFingerprint.Of(Encoder);

    /// <summary>The encoder.</summary>
    public IImageEncoder Encoder { get; } = encoder;

    /// <summary>Its zoo name, recorded in the features.</summary>
    public string EncoderName { get; } = encoderName;

    /// <summary>The options (input size, levels).</summary>
    public SegmenterOptions Options { get; } = options;

    /// <summary>Encodes every example of <paramref name="prompts"/> (validated first).</summary>
    public PromptFeatures Encode(PromptSet prompts)
    {
        Options.Validate(Encoder);
        prompts.Validate();
        using var noGrad = LibTorch.NoGrad();
        var features = new List<Tensor>[Options.Levels.Count];
        var foreground = new List<Tensor>[Options.Levels.Count];
        var valid = new List<Tensor>[Options.Levels.Count];
        for (int l = 0; l < features.Length; l++) (features[l], foreground[l], valid[l]) = ([], [], []);

        using var scope = DisposeScope.Begin();
        foreach (var example in prompts.Examples)
        {
            using var prepared = PreparedImage.Create(example.Image, Encoder, Options.InputSize);
            var masks = prepared.ResizeMasks(example.Masks).Unsqueeze(0);                  // [1, classes, S, S]
            // Cells count as evidence only where the image is (not padding) and the pixels are labelled.
            var labelled = example.Ignore is null ? prepared.Valid : prepared.Valid * (1.0 - prepared.ResizeMasks(example.Ignore.Unsqueeze(0)));
            var maps = Encoder.ForwardIntermediates(prepared.Input.Unsqueeze(0), Options.Levels);
            for (int l = 0; l < maps.Count; l++)
            {
                var level = EncodeLevel(maps[l].Features, masks, labelled.Unsqueeze(0));
                features[l].Add(level.Features);
                foreground[l].Add(level.Foreground);
                valid[l].Add(level.Valid);
            }
        }
        var levels = new List<PromptLevel>();
        for (int l = 0; l < features.Length; l++)
        {
            levels.Add(new PromptLevel(
                Tensor.Cat([.. features[l]]).DetachFromScope(),
                Tensor.Cat([.. foreground[l]]).DetachFromScope(),
                Tensor.Cat([.. valid[l]]).DetachFromScope()));
        }
        return new PromptFeatures(EncoderName, Fingerprint, Options.InputSize, Options.Levels, prompts.ClassNames, levels);
    }

    /// <summary>
    /// One example at one level (exported as the bundle's prompt graph): encoder map [1, C, h, w], masks
    /// [1, classes, S, S] and labelled area [1, 1, S, S] (both in [0, 1]) → L2-normalised features and per-cell coverage.
    /// </summary>
    public static PromptLevel EncodeLevel(Tensor map, Tensor masks, Tensor labelled)
    {
        int h = (int)map.Size(2), w = (int)map.Size(3);
        return new PromptLevel(
            Functional.Normalize(map.To(DType.Float32), dim: 1),
            Functional.AdaptiveAvgPool2d(masks, h, w),
            Functional.AdaptiveAvgPool2d(labelled, h, w));
    }
}
