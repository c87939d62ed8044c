using Exemplar.Models;
using Exemplar.Torch;
using Exemplar.Vision.Filters;
using Exemplar.Vision.Transforms;

namespace Exemplar.InContext;

/// <summary>
/// Segments targets with encoded prompts: encoder features at several levels → dense correspondence
/// scores per level (<see cref="CorrespondenceDecoder"/>) → averaged at the finest level → upsampled to the input and
/// refined along the target's edges with a guided filter → cropped and resized back to the target's own size.
/// Deterministic: the same inputs give the same masks. With a <see cref="LearnedDecoder"/>, its logits replace the
/// averaged scores (the upsampling and refinement stay).
/// </summary>
/// <param name="encoder">The frozen encoder.</param>
/// <param name="encoderName">Its zoo name.</param>
/// <param name="options">How to segment.</param>
/// <param name="decoder">A decoder trained for this encoder and these levels, or null for the training-free one.</param>
public sealed class Segmenter(IImageEncoder encoder, string encoderName, SegmenterOptions options, LearnedDecoder? decoder = null)
{
    private PromptEncoder? _promptEncoder;

    /// <summary>The encoder (frozen).</summary>
    public IImageEncoder Encoder { get; } = encoder;

    /// <summary>Its zoo name.</summary>
    public string EncoderName { get; } = encoderName;

    /// <summary>The options.</summary>
    public SegmenterOptions Options { get; } = options;

    /// <summary>The trained decoder, or null: the training-free correspondence scores.</summary>
    public LearnedDecoder? Decoder { get; } = decoder;

    /// <summary>A short name for reports: the encoder's, with "+decoder" when a trained decoder is used.</summary>
    public string Name => Decoder is null ? EncoderName : $"{EncoderName}+decoder";

    /// <summary>
    /// The encoder levels a target is encoded at: the matched <see cref="SegmenterOptions.Levels"/>, then the decoder's
    /// <see cref="LearnedDecoder.Fine"/> level when it refines (what <see cref="DecodeLogits"/> takes as maps).
    /// </summary>
    public IReadOnlyList<int> EncodingLevels => Decoder?.Fine is { } fine ? [.. Options.Levels, fine.Level] : Options.Levels;

    /// <summary>An encoder for prompts with the same settings.</summary>
    public PromptEncoder PromptEncoder => _promptEncoder ??= new(Encoder, EncoderName, Options);

    /// <summary>Segments one target image [3, H, W] uint8. The caller owns (and disposes) the result.</summary>
    public SegmentationResult Segment(PromptFeatures prompts, Tensor target) => Segment(prompts, [target])[0];

    /// <summary>
    /// Segments several target images [3, H, W] uint8 (any sizes), <see cref="SegmenterOptions.BatchSize"/> at a time
    /// through the encoder. The caller owns (and disposes) the results.
    /// </summary>
    /// <exception cref="ArgumentException">The prompts were encoded with another encoder, weights, input size or levels.</exception>
    public IReadOnlyList<SegmentationResult> Segment(PromptFeatures prompts, IReadOnlyList<Tensor> targets)
    {
        Options.Validate(Encoder);
        CheckCompatible(prompts);
        var results = new List<SegmentationResult>();
        for (int start = 0; start < targets.Count; start += Options.BatchSize)
        {
            results.AddRange(SegmentBatch(prompts, targets.Skip(start).Take(Options.BatchSize).ToList()));
        }
        return results;
    }

    private List<SegmentationResult> SegmentBatch(PromptFeatures prompts, IReadOnlyList<Tensor> targets)
    {
        using var noGrad = LibTorch.NoGrad();
        using var scope = DisposeScope.Begin();
        var prepared = targets.Select(t => PreparedImage.Create(t, Encoder, Options.InputSize)).ToList();
        try
        {
            var batch = Tensor.Stack([.. prepared.Select(p => p.Input)]);
            var maps = Encoder.ForwardIntermediates(batch, EncodingLevels).Select(m => m.Features).ToList();
            for (int l = 0; l < prompts.LevelFeatures.Count; l++)
            {
                long channels = prompts.LevelFeatures[l].Features.Size(1);
                if (channels != maps[l].Size(1))
                {
                    throw new ArgumentException($"{prompts.Describe()} have {channels} channels at level {Options.Levels[l]}, where {EncoderName} gives {maps[l].Size(1)}: they were not encoded by it; encode them again");
                }
            }
            var full = DecodeLogits(maps, Tensor.Stack([.. prepared.Select(p => p.Guide)]), prompts.LevelFeatures);
            if (prompts.HasLogitOffsets) full += Tensor.From([.. prompts.LogitOffsets], 1, prompts.LogitOffsets.Count, 1, 1).To(full.Device);
            var results = new List<SegmentationResult>();
            for (int i = 0; i < prepared.Count; i++)
            {
                var restored = ResizeLongestSidePad.RestoreScores(full.Select(0, i), prepared[i].Geometry);
                results.Add(SegmentationResult.FromLogits(restored, Options.Threshold));
            }
            foreach (var r in results)
            {
                r.LabelMap.MoveToOuterScope();
                r.Masks.MoveToOuterScope();
                r.Scores.MoveToOuterScope();
            }
            return results;
        }
        finally
        {
            foreach (var p in prepared) p.Dispose();
        }
    }

    /// <summary>
    /// The decoder (exported as the bundle's decoder graph): encoder maps at <see cref="EncodingLevels"/> [B, C_l, h_l, w_l]
    /// and gray guides [B, 1, S, S] against the prompt levels → class logits at the input size [B, classes, S, S].
    /// Coarse logits at the finest level's grid (the training-free scores averaged over levels, or the trained
    /// decoder's), upsampled bilinearly (with a refinement's correction at its finer grid, upsampled and added) and
    /// refined by the guided filter; a presence head's log-probability added to
    /// each class (<see cref="DecodeParts"/>). Differentiable in the decoder's weights and in the prompt: what training
    /// and in-context tuning optimise through. A propagation decoder (<see cref="LearnedDecoder.PriorProjection"/>)
    /// also takes <paramref name="prior"/> [B, classes, S, S], the previous frame's masks in [0, 1].
    /// </summary>
    public Tensor DecodeLogits(IReadOnlyList<Tensor> maps, Tensor guides, IReadOnlyList<PromptLevel> prompt, Tensor? prior = null)
    {
        using var scope = DisposeScope.Begin();
        var (mask, presence) = DecodeParts(maps, guides, prompt, prior);
        return (presence is null ? mask : mask + LearnedDecoder.LogPresence(presence).Unsqueeze(-1).Unsqueeze(-1)).MoveToOuterScope();
    }

    /// <summary>
    /// <see cref="DecodeLogits"/> before the presence is added: mask logits [B, classes, S, S], and presence logits
    /// [B, classes] when the decoder has a presence head (else null). Adding a class's constant before or after the
    /// upsampling and the guided filter gives the same logits (both keep constants), so the sum is the decoder's own.
    /// </summary>
    /// <exception cref="ArgumentException">A prior without a propagation decoder, or none with one.</exception>
    public (Tensor Mask, Tensor? Presence) DecodeParts(IReadOnlyList<Tensor> maps, Tensor guides, IReadOnlyList<PromptLevel> prompt, Tensor? prior = null)
    {
        using var scope = DisposeScope.Begin();
        if (Decoder is null && prior is not null) throw new ArgumentException("the training-free decoder reads no mask prior");
        if (maps.Count != EncodingLevels.Count) throw new ArgumentException($"the decoder takes maps at levels {string.Join(",", EncodingLevels)}, got {maps.Count} maps");
        var normalized = maps.Select(m => Functional.Normalize(m.To(DType.Float32), dim: 1)).ToList();
        var matched = normalized.Take(Options.Levels.Count).ToList();
        var fine = Decoder?.Fine is null ? null : normalized[^1];
        var (coarse, presence, refined) = Decoder is null ? (TrainingFreeLogits(matched, prompt), null, null) : Decoder.Decode(matched, prompt, Options.TopK, Options.PrototypeWeight, Options.LogitScale, prior, fine);
        var full = Functional.Interpolate(coarse, Options.InputSize, Options.InputSize, InterpolationMode.Bilinear);
        // Each upsampled on its own, so that a zero correction leaves exactly the coarse decoder's logits.
        if (refined is not null) full += Functional.Interpolate(refined, Options.InputSize, Options.InputSize, InterpolationMode.Bilinear);
        if (Options.GuidedRadius > 0) full = GuidedFilter.Apply(full, guides, Options.GuidedRadius, Options.GuidedEps, Options.GuidedSubsample);
        return (full.MoveToOuterScope(), presence?.MoveToOuterScope());
    }

    /// <summary>Levels scored separately and averaged at the finest grid, scaled to logits → [B, classes, h, w].</summary>
    private Tensor TrainingFreeLogits(IReadOnlyList<Tensor> normalized, IReadOnlyList<PromptLevel> prompt)
    {
        using var scope = DisposeScope.Begin();
        Tensor? sum = null;
        long gridH = normalized.Max(m => m.Size(2)), gridW = normalized.Max(m => m.Size(3));
        for (int l = 0; l < normalized.Count; l++)
        {
            var logits = CorrespondenceDecoder.Score(normalized[l], prompt[l], Options.TopK, Options.PrototypeWeight);
            if (logits.Size(2) != gridH || logits.Size(3) != gridW)
            {
                logits = Functional.Interpolate(logits, (int)gridH, (int)gridW, InterpolationMode.Bilinear);
            }
            sum = sum is null ? logits : sum + logits;
        }
        return (sum! * (Options.LogitScale / normalized.Count)).MoveToOuterScope();
    }

    private void CheckCompatible(PromptFeatures prompts)
    {
        string fingerprint = PromptEncoder.Fingerprint;
        if (prompts.EncoderFingerprint != fingerprint)
        {
            throw new ArgumentException($"{prompts.Describe()} were encoded with other {prompts.EncoderName} weights (fingerprint {prompts.EncoderFingerprint}, these are {fingerprint}); encode them again with these weights");
        }
        if (prompts.EncoderName != EncoderName || prompts.InputSize != Options.InputSize || !prompts.Levels.SequenceEqual(Options.Levels))
        {
            throw new ArgumentException(
                $"{prompts.Describe()} were encoded with {prompts.EncoderName} at {prompts.InputSize} (levels {string.Join(",", prompts.Levels)}), " +
                $"but this segmenter uses {EncoderName} at {Options.InputSize} (levels {string.Join(",", Options.Levels)}); encode them again");
        }
    }
}
