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
        Assert.Throws<ArgumentException>(() => new PromptTuner(segmenter).Tune(examples, new PromptTuningOptions { Steps = 0 }));
    }
}
