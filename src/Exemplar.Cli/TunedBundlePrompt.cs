using Exemplar.InContext;
using Exemplar.InContext.Tuning;
using Exemplar.Runtime;
using Exemplar.Torch;

namespace Exemplar.Cli;

/// <summary>
/// A prompt tuned with Exemplar.Torch, carried over to an Exemplar.Runtime bundle exported from the same encoder and
/// decoder: the bundle's own encoding of the examples plus what tuning changed in each level's features, and the tuned
/// logit offsets. Adding the change (not copying the torch features) keeps the bundle's int8 or float16 encoding's own
/// rounding, so an untuned prompt carried over is exactly the bundle's.
/// </summary>
internal static class TunedBundlePrompt
{
    /// <summary>
    /// Refuses a bundle that a prompt tuned by <paramref name="segmenter"/> cannot be carried over to — a supervised
    /// network, another encoder, other levels or input size — before any time is spent tuning. (Whether the bundle's
    /// decoder is the segmenter's, its manifest does not record.)
    /// </summary>
    /// <exception cref="ArgumentException">The bundle does not fit, named with <paramref name="bundleFile"/>.</exception>
    public static void CheckFits(ExemplarModel model, string bundleFile, Segmenter segmenter)
    {
        var info = model.Info;
        if (info.IsSupervised) throw new ArgumentException($"{bundleFile} is a supervised network with fixed classes: a tuned prompt needs a bundle that segments by example");
        if (info.Encoder != segmenter.EncoderName || !info.Levels.SequenceEqual(segmenter.Options.Levels) || info.InputSize != segmenter.Options.InputSize)
        {
            throw new ArgumentException($"{bundleFile} encodes with {info.Encoder} at levels [{string.Join(", ", info.Levels)}], input size {info.InputSize}; the tuning runs " +
                                        $"--model {segmenter.EncoderName} at levels [{string.Join(", ", segmenter.Options.Levels)}], input size {segmenter.Options.InputSize}: export the bundle from the same encoder and levels");
        }
    }

    /// <summary>The runtime prompt of <paramref name="examples"/> tuned as <paramref name="tuned"/> (the caller owns it).</summary>
    /// <param name="model">The bundle (checked by <see cref="CheckFits"/>).</param>
    /// <param name="bundleFile">The bundle's path, for messages.</param>
    /// <param name="examples">The examples that were tuned.</param>
    /// <param name="tuned">Their tuning.</param>
    /// <exception cref="ArgumentException">The bundle encodes a level in another shape than the torch encoder.</exception>
    public static Prompt Create(ExemplarModel model, string bundleFile, PromptSet examples, PromptTuningResult tuned)
    {
        using var encoded = RuntimeExampleSegmenter.Encode(model, examples);
        var shapes = encoded.FeatureShapes;
        var runtimeFeatures = encoded.Features;
        var adjusted = new List<float[]>();
        for (int l = 0; l < shapes.Count; l++)
        {
            var before = tuned.Untuned.LevelFeatures[l].Features;
            if (!before.Shape.SequenceEqual(shapes[l]))
            {
                throw new ArgumentException($"{bundleFile} encodes level {l} as [{string.Join(", ", shapes[l])}], --model {tuned.Untuned.EncoderName} as [{string.Join(", ", before.Shape)}]: export the bundle from the same encoder and levels");
            }
            using var scope = DisposeScope.Begin();
            var delta = (tuned.Prompt.LevelFeatures[l].Features - before).Contiguous().ToArray<float>();
            adjusted.Add([.. runtimeFeatures[l].Zip(delta, (a, d) => a + d)]);
        }
        return encoded.WithFeatures(adjusted, tuned.Prompt.LogitOffsets);
    }
}
