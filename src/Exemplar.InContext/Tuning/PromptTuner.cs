using System.Diagnostics;
using Exemplar.Torch;
using Exemplar.InContext.Training;
using Exemplar.Training.Optim;

namespace Exemplar.InContext.Tuning;

/// <summary>How in-context tuning runs.</summary>
public sealed record PromptTuningOptions
{
    /// <summary>Optimizer steps (each goes once over every example as a target); 0 keeps the encoded features and only chooses the logit offsets.</summary>
    public int Steps { get; init; } = 8;

    /// <summary>Adam's learning rate on the example features (which are L2-normalised, so changes are relative).</summary>
    public double LearningRate { get; init; } = 0.003;

    /// <summary>Also use each example mirrored as a target (augmentation).</summary>
    public bool Flip { get; init; }

    /// <summary>Weight of the squared distance of the tuned features from the encoded ones (keeps them close).</summary>
    public double Anchor { get; init; } = 1.0;

    /// <summary>
    /// The widest per-class logit offset tried (<see cref="PromptFeatures.LogitOffsets"/>), before the feature steps:
    /// the offset from −this to +this, in steps of 0.25, at which the encoded prompt's leave-one-out predictions best
    /// match the examples' masks; the steps then learn with it added. 0 leaves the logits as the decoder gives them.
    /// </summary>
    public double MaxLogitOffset { get; init; } = 3;

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        if (Steps < 0) throw new ArgumentException($"steps must not be negative, got {Steps}");
        if (!(LearningRate > 0 && double.IsFinite(LearningRate))) throw new ArgumentException($"the learning rate must be positive and finite, got {LearningRate}");
        if (!(Anchor >= 0 && double.IsFinite(Anchor))) throw new ArgumentException($"the anchor weight must be finite and not negative, got {Anchor}");
        if (!(MaxLogitOffset >= 0 && MaxLogitOffset <= PromptFeatures.MaxLogitOffset)) throw new ArgumentException($"the largest logit offset must be from 0 to {PromptFeatures.MaxLogitOffset}, got {MaxLogitOffset}");
    }
}

/// <summary>What a tuning run did.</summary>
/// <param name="Prompt">The tuned prompt (the caller owns it).</param>
/// <param name="Untuned">The examples as encoded, before tuning (the caller owns it).</param>
/// <param name="InitialLoss">Leave-one-out loss of the encoded prompt (no offsets).</param>
/// <param name="FinalLoss">Leave-one-out loss of the tuned prompt: after the last step, its logit offsets added.</param>
/// <param name="Seconds">Wall-clock seconds, encoding included.</param>
public sealed record PromptTuningResult(PromptFeatures Prompt, PromptFeatures Untuned, double InitialLoss, double FinalLoss, double Seconds) : IDisposable
{
    /// <summary>Frees both prompts.</summary>
    public void Dispose()
    {
        Prompt.Dispose();
        Untuned.Dispose();
    }
}

/// <summary>
/// SegGPT's in-context tuning for a frozen segmenter: the examples' encoded features are the parameters, learned by
/// gradient descent so that the prompt segments its own examples — each example in turn is the target and the
/// others the prompt (leave-one-out; with one example, it is its own prompt and its mirror image the target), through
/// the segmenter's own decoder (trained or training-free), with binary cross-entropy plus Dice on the labelled pixels;
/// with a per-class logit offset added that was chosen first, on the encoded prompt's leave-one-out predictions
/// (<see cref="PromptTuningOptions.MaxLogitOffset"/>).
/// Encoder and decoder stay frozen; the tuned prompt has the same layout as an encoded one, so it works wherever a
/// prompt does.
/// </summary>
public sealed class PromptTuner(Segmenter segmenter)
{
    /// <summary>Encodes <paramref name="examples"/> and tunes the encoding; the caller owns (disposes) the result.</summary>
    /// <exception cref="ArgumentException">The examples or options are unusable.</exception>
    public PromptTuningResult Tune(PromptSet examples, PromptTuningOptions options)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        var encoded = segmenter.PromptEncoder.Encode(examples);
        try
        {
            return Tune(examples, encoded, options, clock);
        }
        catch
        {
            encoded.Dispose();
            throw;
        }
    }

    private PromptTuningResult Tune(PromptSet examples, PromptFeatures encoded, PromptTuningOptions options, Stopwatch clock)
    {
        int k = examples.Examples.Count, levels = encoded.LevelFeatures.Count;
        using var scope = DisposeScope.Begin();
        var targets = new List<(Tensor[] Maps, Tensor Guide, Tensor Masks, Tensor Labelled, int Example)>();
        using (LibTorch.NoGrad())
        {
            for (int i = 0; i < k; i++)
            {
                var example = examples.Examples[i];
                using var prepared = PreparedImage.Create(example.Image, segmenter.Encoder, segmenter.Options.InputSize);
                var masks = prepared.ResizeMasks(example.Masks).Unsqueeze(0);                 // [1, classes, S, S]
                var labelled = (example.Ignore is null ? prepared.Valid : prepared.Valid * (1.0 - prepared.ResizeMasks(example.Ignore.Unsqueeze(0)))).Unsqueeze(0);
                var input = prepared.Input.Unsqueeze(0);
                var guide = prepared.Guide.Unsqueeze(0);
                foreach (bool mirrored in options.Flip || k == 1 ? new[] { false, true } : [false])
                {
                    if (k == 1 && !mirrored) continue;
                    Tensor Orient(Tensor t) => mirrored ? t.Flip([3]) : t;
                    var maps = segmenter.Encoder.ForwardIntermediates(Orient(input), segmenter.EncodingLevels).Select(m => m.Features).ToArray();
                    targets.Add((maps, Orient(guide), Orient(masks), Orient(labelled), i));
                }
            }
        }
        var original = encoded.LevelFeatures.Select(l => l.Features.Detach()).ToList();
        var parameters = original.Select(f => f.Clone().RequiresGrad_()).ToList();
        using var optimizer = new Adam(parameters, new AdamOptions { LearningRate = options.LearningRate });

        // The encoded prompt's leave-one-out logits per target, for the offsets.
        var predictions = new List<Tensor>();
        Tensor? shift = null;                                                                   // [1, classes, 1, 1] once chosen
        Tensor TargetLoss(Tensor logits, Tensor masks, Tensor labelled)
        {
            var (bce, dice) = MaskLoss.Compute(shift is null ? logits : logits + shift, masks, labelled);
            return bce + dice;
        }
        double Loss(bool train, bool collect = false)
        {
            using var stepScope = DisposeScope.Begin();
            var features = parameters.Select(p => Functional.Normalize(p, dim: 1)).ToList();
            Tensor? total = null;
            foreach (var t in targets)
            {
                var keep = k == 1 ? [0] : Enumerable.Range(0, k).Where(j => j != t.Example).Select(j => (long)j).ToArray();
                var index = Tensor.From(keep, keep.Length);
                var prompt = Enumerable.Range(0, levels).Select(l => new PromptLevel(
                    features[l].IndexSelect(0, index), encoded.LevelFeatures[l].Foreground.IndexSelect(0, index), encoded.LevelFeatures[l].Valid.IndexSelect(0, index))).ToList();
                var logits = segmenter.DecodeLogits(t.Maps, t.Guide, prompt);                // [1, classes, S, S]
                if (collect) predictions.Add(logits.Detach().MoveToOuterScope());
                var loss = TargetLoss(logits, t.Masks, t.Labelled);
                total = total is null ? loss : total + loss;
            }
            var mean = total! / targets.Count;
            var anchored = mean;
            for (int l = 0; l < levels && options.Anchor > 0; l++) anchored += (features[l] - original[l]).Square().Sum([1]).Mean() * options.Anchor;
            if (train)
            {
                optimizer.ZeroGrad();
                anchored.Backward();
                optimizer.Step();
            }
            return mean.ToDouble();
        }

        // The offsets are chosen first, on the encoded prompt's leave-one-out predictions, and the feature steps then
        // learn with them in place. Chosen after the steps, on predictions the features were just fitted to, they came
        // out smaller than held-out targets need (magnetic tiles, 5 shots: 47.3 mIoU against 49.5 this way).
        double initial, final;
        using (LibTorch.NoGrad()) initial = Loss(train: false, collect: true);
        var offsets = LogitOffsetSearch.Choose([.. targets.Select((t, i) => (predictions[i], t.Masks, t.Labelled))], segmenter.Options.Threshold, options.MaxLogitOffset);
        if (offsets.Any(b => b != 0)) shift = Tensor.From(offsets, 1, offsets.Length, 1, 1).To(predictions[0].Device);
        if (options.Steps == 0)
        {
            // The first pass's logits are the tuned prompt's, so its loss (offsets added) needs no second pass.
            using var noGrad = LibTorch.NoGrad();
            using var lossScope = DisposeScope.Begin();
            final = shift is null ? initial : targets.Select((t, i) => TargetLoss(predictions[i], t.Masks, t.Labelled).ToDouble()).Average();
        }
        else
        {
            for (int step = 0; step < options.Steps; step++) Loss(train: true);
            using (LibTorch.NoGrad()) final = Loss(train: false);
        }

        var tunedLevels = Enumerable.Range(0, levels).Select(l =>
        {
            using var noGrad = LibTorch.NoGrad();
            // With no steps the features are the encoded ones, bit for bit (normalising them again would round them).
            var features = options.Steps == 0 ? original[l].Clone() : Functional.Normalize(parameters[l], dim: 1).Detach();
            return new PromptLevel(features.DetachFromScope(),
                encoded.LevelFeatures[l].Foreground.Clone().DetachFromScope(), encoded.LevelFeatures[l].Valid.Clone().DetachFromScope());
        }).ToList();
        var tuned = new PromptFeatures(encoded.EncoderName, encoded.EncoderFingerprint, encoded.InputSize, encoded.Levels, encoded.ClassNames, tunedLevels, offsets);
        return new PromptTuningResult(tuned, encoded, initial, final, clock.Elapsed.TotalSeconds);
    }
}
