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
    /// <summary>The runtime prompt of <paramref name="examples"/> tuned as <paramref name="tuned"/> (the caller owns it).</summary>
    /// <param name="model">The bundle.</param>
    /// <param name="bundleFile">The bundle's path, for messages.</param>
    /// <param name="encoderName">The torch segmenter's encoder, for messages.</param>
    /// <param name="examples">The examples that were tuned.</param>
    /// <param name="tuned">Their tuning.</param>
    /// <exception cref="ArgumentException">The bundle encodes a level in another shape than the torch encoder.</exception>
    public static Prompt Create(ExemplarModel model, string bundleFile, string encoderName, PromptSet examples, PromptTuningResult tuned)
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
                throw new ArgumentException($"{bundleFile} encodes level {l} as [{string.Join(", ", shapes[l])}], --model {encoderName} as [{string.Join(", ", before.Shape)}]: export the bundle from the same encoder and levels");
            }
            using var scope = DisposeScope.Begin();
            var delta = (tuned.Prompt.LevelFeatures[l].Features - before).Contiguous().ToArray<float>();
            adjusted.Add([.. runtimeFeatures[l].Zip(delta, (a, d) => a + d)]);
        }
        return encoded.WithFeatures(adjusted, tuned.Prompt.LogitOffsets);
    }
}
