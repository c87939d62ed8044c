using Exemplar.Models.MobileNet;
using Exemplar.Torch;
using Exemplar.Torch.Serialization;
using Exemplar.Vision.IO;
using Exemplar.Vision.Masks;

namespace Exemplar.InContext.Tests;

/// <summary>The correspondence segmenter with real MobileNetV2 weights on the PerSeg samples.</summary>
public sealed class SegmenterTests : IDisposable
{
    private const string Weights = "weights/mobilenetv2-12-int8.onnx";
    private const string Cat = "data/samples/perseg/cat_00.jpg";
    private readonly string _dir = Directory.CreateTempSubdirectory("exemplar-seg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string PerSeg(string file) => SharedFolder.PathOf($"data/samples/perseg/{file}");

    private static (Segmenter Segmenter, MobileNetV2 Net) Build()
    {
        var net = MobileNetV2.FromOnnx(SharedFolder.PathOf(Weights));
        return (new Segmenter(net, "mobilenetv2", SegmenterOptions.For(net)), net);
    }

    private static PromptSet Prompt(string name)
    {
        var prompts = new PromptSet([name]);
        prompts.Add(ImageReader.ReadTensor(PerSeg($"{name}_00.jpg"), ImageReadOptions.Rgb), MaskDecoder.ReadBinary(PerSeg($"{name}_00.png")).Unsqueeze(0), name);
        return prompts;
    }

    [SharedFact(Weights, Cat)]
    public void FindsEachPersonalObjectInItsOtherPhotos()
    {
        var (segmenter, net) = Build();
        using var _ = net;
        foreach (var name in new[] { "cat", "colorful_sneaker", "duck_toy" })
        {
            using var scope = DisposeScope.Begin();
            using var prompts = Prompt(name);
            using var features = segmenter.PromptEncoder.Encode(prompts);
            for (int i = 1; i <= 2; i++)
            {
                var target = ImageReader.ReadTensor(PerSeg($"{name}_0{i}.jpg"), ImageReadOptions.Rgb);
                var truth = MaskDecoder.ReadBinary(PerSeg($"{name}_0{i}.png"));
                using var result = segmenter.Segment(features, target);
                Assert.Equal(truth.Shape, result.LabelMap.Shape);
                double iou = Scenes.IoU(result.Masks[0], truth);
                Assert.True(iou > 0.7, $"{name}_0{i}: IoU {iou:F3}");
            }
        }
    }

    [SharedFact(Weights, Cat)]
    public void IsDeterministicAndBatchesGiveTheSameMasksAsSingles()
    {
        var (segmenter, net) = Build();
        using var _ = net;
        using var scope = DisposeScope.Begin();
        using var prompts = Prompt("duck_toy");
        using var features = segmenter.PromptEncoder.Encode(prompts);
        var a = ImageReader.ReadTensor(PerSeg("duck_toy_01.jpg"), ImageReadOptions.Rgb);
        var b = ImageReader.ReadTensor(PerSeg("cat_01.jpg"), ImageReadOptions.Rgb);
        var batch = segmenter.Segment(features, [a, b]);
        var single = segmenter.Segment(features, a);
        var again = segmenter.Segment(features, a);
        Assert.True(single.LabelMap.Equal(again.LabelMap));
        Assert.True(single.Scores.AllClose(again.Scores, 0, 0));
        Assert.True(batch[0].Scores.AllClose(single.Scores, 1e-4, 1e-5));
        Assert.Equal(b.Size(1), batch[1].LabelMap.Size(0));
    }

    [SharedFact(Weights, Cat)]
    public void PromptFilesRoundTripAndRefuseOtherEncoders()
    {
        var (segmenter, net) = Build();
        using var _ = net;
        using var scope = DisposeScope.Begin();
        using var prompts = Prompt("cat");
        using var features = segmenter.PromptEncoder.Encode(prompts);
        string path = Path.Combine(_dir, "cat.exemplar");
        features.Save(path);
        Assert.Throws<IOException>(() => features.Save(path));
        using var loaded = PromptFeatures.Load(path);
        Assert.Equal(features.ClassNames, loaded.ClassNames);
        Assert.Equal(features.Levels, loaded.Levels);
        var target = ImageReader.ReadTensor(PerSeg("cat_02.jpg"), ImageReadOptions.Rgb);
        Assert.True(segmenter.Segment(features, target).Scores.Equal(segmenter.Segment(loaded, target).Scores));

        var other = new Segmenter(net, "mobilenetv2", segmenter.Options with { InputSize = 256 });
        var ex = Assert.Throws<ArgumentException>(() => other.Segment(loaded, target));
        Assert.Contains("encode them again", ex.Message);

        // Same architecture, other weights: refused by the fingerprint.
        using var randomNet = new MobileNetV2();
        randomNet.Eval();
        var wrongWeights = new Segmenter(randomNet, "mobilenetv2", segmenter.Options);
        ex = Assert.Throws<ArgumentException>(() => wrongWeights.Segment(loaded, target));
        Assert.Contains("other mobilenetv2 weights", ex.Message);

        SafeTensors.Save(Path.Combine(_dir, "plain.safetensors"), new Dictionary<string, Tensor> { ["x"] = Tensor.Zeros([1]) });
        var bad = Assert.Throws<CheckpointFormatException>(() => PromptFeatures.Load(Path.Combine(_dir, "plain.safetensors")));
        Assert.Contains("not an Exemplar prompt file", bad.Message);
    }
}
