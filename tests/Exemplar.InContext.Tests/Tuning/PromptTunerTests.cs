using Exemplar.InContext.Tuning;
using Exemplar.Models.MobileNet;
using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Masks;

namespace Exemplar.InContext.Tests.Tuning;

/// <summary>In-context tuning on the PerSeg samples with the real MobileNetV2.</summary>
public sealed class PromptTunerTests
{
    private const string Weights = "weights/mobilenetv2-12-int8.onnx";

    private static string PerSeg(string file) => SharedFolder.PathOf($"data/samples/perseg/{file}");

    [SharedFact(Weights, "data/samples/perseg/duck_toy_00.jpg")]
    public void LowersTheLeaveOneOutLossAndKeepsThePromptsLayout()
    {
        using var net = MobileNetV2.FromOnnx(SharedFolder.PathOf(Weights));
        var segmenter = new Segmenter(net, "mobilenetv2", SegmenterOptions.For(net) with { InputSize = 256 });
        using var examples = new PromptSet(["duck"]);
        foreach (int i in new[] { 0, 1 })
        {
            examples.Add(ImageReader.ReadTensor(PerSeg($"duck_toy_0{i}.jpg"), ImageReadOptions.Rgb), MaskDecoder.ReadBinary(PerSeg($"duck_toy_0{i}.png")).Unsqueeze(0), $"duck {i}");
        }
        using var result = new PromptTuner(segmenter).Tune(examples, new PromptTuningOptions { Steps = 6 });
        var tuned = result.Prompt;
        Assert.True(result.FinalLoss < result.InitialLoss, $"tuning did not lower the leave-one-out loss: {result.InitialLoss} → {result.FinalLoss}");
        using var encoded = segmenter.PromptEncoder.Encode(examples);
        Assert.Equal(encoded.EncoderFingerprint, tuned.EncoderFingerprint);
        for (int l = 0; l < encoded.LevelFeatures.Count; l++) Assert.True(encoded.LevelFeatures[l].Features.Equal(result.Untuned.LevelFeatures[l].Features), "Untuned is the plain encoding");
        for (int l = 0; l < encoded.LevelFeatures.Count; l++)
        {
            Assert.Equal(encoded.LevelFeatures[l].Features.Shape, tuned.LevelFeatures[l].Features.Shape);
            Assert.True(encoded.LevelFeatures[l].Foreground.Equal(tuned.LevelFeatures[l].Foreground));
            var norms = tuned.LevelFeatures[l].Features.Square().Sum([1]).Sqrt();
            Assert.True((norms - 1.0).Abs().Max().ToDouble() < 1e-4, "tuned features must stay L2-normalised per cell");
            Assert.False(encoded.LevelFeatures[l].Features.Equal(tuned.LevelFeatures[l].Features));
        }
        // One offset per class, on the search's grid and within its range.
        var offset = Assert.Single(tuned.LogitOffsets);
        Assert.InRange(offset, -3f, 3f);
        Assert.Equal(0, offset % 0.25f);
        using (var plain = new PromptTuner(segmenter).Tune(examples, new PromptTuningOptions { Steps = 1, MaxLogitOffset = 0 }))
        {
            Assert.False(plain.Prompt.HasLogitOffsets);
        }
        // No steps: the encoded features as they were, and the offset the search finds for them — the same offset the
        // steps above learned with, as it is chosen before them.
        using (var offsetOnly = new PromptTuner(segmenter).Tune(examples, new PromptTuningOptions { Steps = 0 }))
        {
            for (int l = 0; l < encoded.LevelFeatures.Count; l++)
            {
                Assert.True((offsetOnly.Prompt.LevelFeatures[l].Features - encoded.LevelFeatures[l].Features).Abs().Max().ToDouble() < 1e-6);
            }
            Assert.Equal(offset, Assert.Single(offsetOnly.Prompt.LogitOffsets));
            Assert.Equal(offset == 0, offsetOnly.InitialLoss == offsetOnly.FinalLoss);
        }
        using (var nothing = new PromptTuner(segmenter).Tune(examples, new PromptTuningOptions { Steps = 0, MaxLogitOffset = 0 }))
        {
            Assert.False(nothing.Prompt.HasLogitOffsets);
            Assert.Equal(nothing.InitialLoss, nothing.FinalLoss);
        }
        // A segmenter whose threshold (0.8) sits too high for these examples: the search must raise the logits (to
        // +1.25, inside the ±3 range), the steps learn with that offset (theirs equals the offset-only run's, chosen
        // before any step), and the offset-only run's final loss is its prompt's with the offset added.
        var strict = new Segmenter(net, "mobilenetv2", segmenter.Options with { Threshold = 0.8 });
        using (var raised = new PromptTuner(strict).Tune(examples, new PromptTuningOptions { Steps = 0 }))
        using (var raisedTuned = new PromptTuner(strict).Tune(examples, new PromptTuningOptions { Steps = 3 }))
        {
            var b = Assert.Single(raised.Prompt.LogitOffsets);
            Assert.True(b is > 0 and < 3, $"a 0.8 threshold needs a positive offset inside the range, got {b}");
            Assert.Equal(b, Assert.Single(raisedTuned.Prompt.LogitOffsets));
            Assert.NotEqual(raised.InitialLoss, raised.FinalLoss);
        }
        Assert.Throws<ArgumentException>(() => new PromptTuner(segmenter).Tune(examples, new PromptTuningOptions { Steps = -1 }));
        Assert.Throws<ArgumentException>(() => new PromptTuner(segmenter).Tune(examples, new PromptTuningOptions { MaxLogitOffset = -1 }));
        Assert.Throws<ArgumentException>(() => new PromptTuner(segmenter).Tune(examples, new PromptTuningOptions { MaxLogitOffset = double.NaN }));
        Assert.Throws<ArgumentException>(() => new PromptTuner(segmenter).Tune(examples, new PromptTuningOptions { LearningRate = double.NaN }));
        Assert.Throws<ArgumentException>(() => new PromptTuner(segmenter).Tune(examples, new PromptTuningOptions { Anchor = double.NaN }));
    }

    [SharedFact(Weights, "data/samples/perseg/duck_toy_00.jpg")]
    public void SegmentingAddsThePromptsLogitOffsetToEveryPixel()
    {
        using var scope = DisposeScope.Begin();
        using var net = MobileNetV2.FromOnnx(SharedFolder.PathOf(Weights));
        var segmenter = new Segmenter(net, "mobilenetv2", SegmenterOptions.For(net) with { InputSize = 256 });
        using var examples = new PromptSet(["duck"]);
        examples.Add(ImageReader.ReadTensor(PerSeg("duck_toy_00.jpg"), ImageReadOptions.Rgb), MaskDecoder.ReadBinary(PerSeg("duck_toy_00.png")).Unsqueeze(0), "duck 0");
        using var encoded = segmenter.PromptEncoder.Encode(examples);
        using var shifted = new PromptFeatures(encoded.EncoderName, encoded.EncoderFingerprint, encoded.InputSize, encoded.Levels, encoded.ClassNames,
            [.. encoded.LevelFeatures.Select(l => new PromptLevel(l.Features.Clone().DetachFromScope(), l.Foreground.Clone().DetachFromScope(), l.Valid.Clone().DetachFromScope()))], [1.5f]);
        var target = ImageReader.ReadTensor(PerSeg("duck_toy_01.jpg"), ImageReadOptions.Rgb);
        using var before = segmenter.Segment(encoded, target);
        using var after = segmenter.Segment(shifted, target);
        // Restoration resizes logits bilinearly (which keeps a constant), so every unsaturated pixel's logit moves by exactly the offset.
        var unsaturated = before.Scores.Gt(0.01) & before.Scores.Lt(0.99);
        static Tensor Logit(Tensor p) => (p / (1.0 - p)).Log();
        var moved = Tensor.Where(unsaturated, (Logit(after.Scores) - Logit(before.Scores) - 1.5).Abs(), Tensor.Zeros([]));
        Assert.True(unsaturated.Sum().ToDouble() > 1000, "enough unsaturated pixels to compare");
        Assert.True(moved.Max().ToDouble() < 1e-3, $"logits moved by 1.5 ± {moved.Max().ToDouble()}");
        Assert.True(after.Masks.Sum().ToDouble() > before.Masks.Sum().ToDouble(), "a positive offset finds more");
    }
}
