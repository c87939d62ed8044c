using System.Text.Json;
using Exemplar.Models.ResNet;
using Exemplar.Models.Segmentation;
using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Exemplar.Torch.Serialization;
using Xunit.Abstractions;

namespace Exemplar.Models.Tests.Segmentation;

public sealed class ResNetSegmentationTests(ITestOutputHelper output)
{
    private static readonly JsonElement TorchvisionKeys = JsonDocument.Parse(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Segmentation", "Data", "torchvision_segmentation_keys.json"))).RootElement;

    public static TheoryData<string> Names => new() { "fcn_resnet50", "deeplabv3_resnet50" };

    private static ResNetSegmentationHead HeadOf(string name) => name.StartsWith("fcn", StringComparison.Ordinal) ? ResNetSegmentationHead.Fcn : ResNetSegmentationHead.DeepLabV3;

    private static Dictionary<string, long[]> ExpectedShapes(string name) =>
        TorchvisionKeys.GetProperty(name).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetInt64()).ToArray());

    [Theory]
    [MemberData(nameof(Names))]
    public void StateDictHasTorchvisionsKeysAndShapes(string name)
    {
        using var model = new ResNetSegmentation(HeadOf(name), 21, auxiliary: true);
        var expected = ExpectedShapes(name);
        var actual = model.StateDict();
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, shape) in expected) Assert.True(shape.SequenceEqual(actual[key].Shape), $"{key}: [{string.Join(", ", actual[key].Shape)}]");
        Assert.Equal(TorchvisionKeys.GetProperty(name + "_parameters").GetInt64(), model.ParameterCount());
        using var bare = new ResNetSegmentation(HeadOf(name), 21);
        Assert.Equal(TorchvisionKeys.GetProperty(name + "_noaux_parameters").GetInt64(), bare.ParameterCount());
        Assert.DoesNotContain(bare.StateDict().Keys, k => k.StartsWith("aux_classifier.", StringComparison.Ordinal));
    }

    [Fact]
    public void BackboneIsDilatedAsTorchvisionDilatesIt()
    {
        using var model = new ResNetSegmentation(ResNetSegmentationHead.Fcn, 2);
        var backbone = model.Backbone;
        Assert.Null(backbone.Fc);
        Assert.Equal([4, 8, 8, 8], backbone.StageStrides);
        // replace_stride_with_dilation=[False, True, True]: a stage's first block keeps the previous dilation.
        int Dilation(int stage, int block) => ((Bottleneck)backbone.Stages[stage][block]).Conv2.Dilation;
        Assert.Equal([1, 1, 1, 2, 2, 4, 4], new[] { Dilation(1, 0), Dilation(1, 3), Dilation(2, 0), Dilation(2, 1), Dilation(3, 0), Dilation(3, 1), Dilation(3, 2) });
        Assert.Equal([2, 1, 1], new[] { ((Bottleneck)backbone.Stages[1][0]).Conv2.Stride, ((Bottleneck)backbone.Stages[2][0]).Conv2.Stride, ((Bottleneck)backbone.Stages[3][0]).Conv2.Stride });

        using var undilated = new ResNetEncoder(ResNetVariant.ResNet50);
        Assert.Equal([4, 8, 16, 32], undilated.StageStrides);
    }

    [Fact]
    public void CheckpointWithoutTheAuxiliaryClassifierLoadsStrictlyWithoutIt()
    {
        using var scope = DisposeScope.Begin();
        var state = ExpectedShapes("fcn_resnet50")
            .Where(p => !p.Key.StartsWith("aux_classifier.", StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => p.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal) ? Tensor.Full([], 3, DType.Int64) : Tensor.Full(p.Value, 0.25));
        string path = Path.Combine(Path.GetTempPath(), $"fcn_resnet50-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensors.Save(path, state);
            using var model = ResNetSegmentationWeights.Load(path);
            Assert.Equal(ResNetSegmentationHead.Fcn, model.Head);
            Assert.Null(model.AuxClassifier);
            Assert.Equal(21, model.ClassCount);
            Assert.False(model.Training);
            Assert.Equal(0.25f, ((Conv2d)model.Classifier[4]).Bias!.Max().Item<float>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("fcn_resnet50")]
    [InlineData("deeplabv3_resnet50")]
    public void ZooLoadsAnImageNetBackboneWithoutItsClassifier(string name)
    {
        using var scope = DisposeScope.Begin();
        var resnetKeys = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ResNet", "Data", "torchvision_resnet_keys.json"))).RootElement;
        var state = resnetKeys.GetProperty("resnet50").EnumerateObject().ToDictionary(
            p => p.Name,
            p => p.Name.EndsWith("num_batches_tracked", StringComparison.Ordinal) ? Tensor.Full([], 5, DType.Int64) : Tensor.Full([.. p.Value.EnumerateArray().Select(v => v.GetInt64())], 0.5));
        Assert.Contains("fc.weight", state.Keys);
        string path = Path.Combine(Path.GetTempPath(), $"resnet50-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensors.Save(path, state);
            using var network = (ResNetSegmentation)SegmentationZoo.Get(name).Create(4, path);
            Assert.True(network.Training);
            Assert.Equal(0.5f, ((Bottleneck)network.Backbone.Stages[3][2]).Conv3.Weight.Min().Item<float>());
            Assert.Equal(4L, ((Conv2d)network.Classifier[4]).Weight.Size(0));
            Assert.NotEqual(0.5f, ((Conv2d)network.Classifier[4]).Weight.Max().Item<float>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ForwardGivesLogitsAtTheInputSize()
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        using var model = new ResNetSegmentation(ResNetSegmentationHead.DeepLabV3, 3, auxiliary: true);
        model.Eval();
        var x = Tensor.Randn([1, 3, 40, 56], new Generator(0));
        Assert.Equal([1L, 3, 40, 56], model.Forward(x).Shape);
        var (main, aux) = model.ForwardWithAuxiliary(x);
        Assert.Equal([1L, 3, 40, 56], main.Shape);
        Assert.Equal([1L, 3, 40, 56], aux.Shape);
        Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([1, 3, 36, 36])));
    }

    [TorchvisionTheory]
    [MemberData(nameof(Names))]
    public void RandomTorchvisionWeightsGiveTorchvisionsOutputs(string name)
    {
        string folder = TorchvisionReference.ParityFolder;
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        using var model = ResNetSegmentationWeights.Load(Path.Combine(folder, name + ".pth"));
        Assert.Equal(HeadOf(name), model.Head);
        Assert.NotNull(model.AuxClassifier);
        Assert.Equal(3, model.ClassCount);
        var io = Checkpoints.LoadStateDict(Path.Combine(folder, name + "_io.pth"));
        var (main, aux) = model.ForwardWithAuxiliary(io["input"]);
        double outError = MaxAbsDiff(main, io["out"]), auxError = MaxAbsDiff(aux, io["aux"]);
        double forwardError = MaxAbsDiff(model.Forward(io["input"]), io["out"]);
        output.WriteLine($"{name}: max |out - torchvision| {outError:E2} (Forward {forwardError:E2}), aux {auxError:E2}; |out| max {io["out"].Abs().Max().ToDouble():F3}");
        Assert.True(outError < 1e-4 && forwardError < 1e-4 && auxError < 1e-4, $"{name}: out {outError:E2}, aux {auxError:E2}");
    }

    private static double MaxAbsDiff(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        using var scope = DisposeScope.Begin();
        return (actual - expected).Abs().Max().ToDouble();
    }
}
