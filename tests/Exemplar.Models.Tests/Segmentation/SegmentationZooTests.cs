using Exemplar.Models.Segmentation;
using Exemplar.Models.Tests.DinoV2;
using Exemplar.TestSupport;
using Exemplar.Torch;

namespace Exemplar.Models.Tests.Segmentation;

/// <summary>Every network of the segmentation zoo builds, segments, trains and (where it has one) takes the ImageNet backbone.</summary>
public class SegmentationZooTests
{
    private const string WeightsFile = "weights/mobilenetv2-12-int8.onnx";

    public static TheoryData<string> Names => new(SegmentationZoo.Models.Select(m => m.Name));

    /// <summary>The networks whose backbone file is in ../shared (the ONNX zoo's MobileNetV2; ResNet-50 and DINOv2 weights are the users' to download).</summary>
    public static TheoryData<string> PretrainableNames => new(SegmentationZoo.Models.Where(m => m.BackboneWeights?.Contains("mobilenetv2-12-int8.onnx", StringComparison.Ordinal) == true).Select(m => m.Name));

    [Fact]
    public void NamesAreUnique()
    {
        var names = SegmentationZoo.Models.Select(m => m.Name.ToLowerInvariant()).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Same(SegmentationZoo.Models[^1], SegmentationZoo.Get("FPNLITE_MOBILENETV2_1.4"));
        Assert.Contains("deeplabv3lite_mobilenetv2", Assert.Throws<ArgumentException>(() => SegmentationZoo.Get("nope")).Message);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void SegmentsAndGivesEveryTrainableParameterAGradient(string name)
    {
        const int classes = 3;
        using var network = SegmentationZoo.Get(name).Create(classes, null);
        Assert.Equal(classes, network.ClassCount);
        Assert.True(network.Training);
        using var scope = DisposeScope.Begin();
        int m = network.Preprocessing.SizeMultiple;
        int height = m * (64 / m + 1), width = m * (96 / m + 1); // about 64x96 in the network's multiples
        var image = Tensor.Randn([2, 3, height, width], new Generator(1));
        var logits = network.Forward(image);
        Assert.Equal([2L, classes, height, width], logits.Shape);
        // A random projection of the logits, not their mean: the mean of a batch-normalised map does not depend on
        // its input, so it would leave the layers before a batch norm without gradient.
        var loss = (logits * Tensor.Randn(logits.Shape, new Generator(2))).Sum();
        loss.Backward();
        var trainable = network.NamedParameters().Where(p => p.Parameter.RequiresGrad).ToList();
        Assert.NotEmpty(trainable);
        var without = trainable.Where(p => p.Parameter.Grad is not { } g || g.Abs().Sum().ToDouble() == 0).Select(p => p.Name).ToList();
        Assert.True(without.Count == 0, $"{name}: no gradient for {string.Join(", ", without)}");
        // Only what the network does not use (a MobileNetV2's ImageNet head) and a frozen foundation encoder are frozen.
        var unused = network.UnusedParameters().ToHashSet(ReferenceEqualityComparer.Instance);
        Assert.All(network.NamedParameters().Where(p => !p.Parameter.RequiresGrad),
            p => Assert.True(unused.Contains(p.Parameter) || (name == "linear_dinov2" && p.Name.StartsWith("backbone.", StringComparison.Ordinal)), $"{name}: {p.Name} is frozen"));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void RefusesNoClassesAndOddSizes(string name)
    {
        var model = SegmentationZoo.Get(name);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Create(0, null));
        using var network = model.Create(2, null);
        int m = network.Preprocessing.SizeMultiple;
        using var image = Tensor.Zeros([1, 3, 2 * m + m / 2, 3 * m]);
        Assert.Contains($"multiples of {m}", Assert.Throws<ArgumentException>(() => network.Forward(image)).Message);
    }

    [SharedTheory(WeightsFile)]
    [MemberData(nameof(PretrainableNames))]
    public void LoadsTheImageNetBackbone(string name)
    {
        string path = SharedFolder.PathOf(WeightsFile);
        using var pretrained = SegmentationZoo.Get(name).Create(4, path);
        using var random = SegmentationZoo.Get(name).Create(4, null);
        Assert.True(pretrained.Training);
        var loaded = pretrained.StateDict();
        var fresh = random.StateDict();
        Assert.Equal(fresh.Keys.Order(), loaded.Keys.Order());
        // The stem is the file's (dequantised int8), not a fresh initialisation.
        using var stem = loaded["backbone.features.0.0.weight"];
        Assert.Equal([32L, 3, 3, 3], stem.Shape);
        Assert.False(stem.AllClose(fresh["backbone.features.0.0.weight"]));
        using var scope = DisposeScope.Begin();
        var logits = pretrained.Forward(Tensor.Randn([1, 3, 64, 64], new Generator(5)));
        Assert.Equal([1L, 4, 64, 64], logits.Shape);
        Assert.Equal(0, logits.IsNan().Any().ToDouble());
    }

    [Fact]
    public void WideFpnLiteRefusesABackboneFile()
    {
        var e = Assert.Throws<ArgumentException>(() => SegmentationZoo.Get("fpnlite_mobilenetv2_1.4").Create(4, "mobilenetv2-12-int8.onnx"));
        Assert.Contains("mobilenetv2-12-int8.onnx", e.Message);
        Assert.Contains("1.4", e.Message);
        Assert.Null(SegmentationZoo.Get("fpnlite_mobilenetv2_1.4").BackboneWeights);
    }
}
