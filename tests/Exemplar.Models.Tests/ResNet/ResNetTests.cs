using System.Text.Json;
using Exemplar.Models.ResNet;
using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Exemplar.Torch.Serialization;

namespace Exemplar.Models.Tests.ResNet;

public class ResNetTests
{
    private static readonly JsonElement TorchvisionKeys = JsonDocument.Parse(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ResNet", "Data", "torchvision_resnet_keys.json"))).RootElement;

    public static TheoryData<string> Variants => new() { "resnet50", "resnet101" };

    private static ResNetVariant Variant(string name) => name == "resnet50" ? ResNetVariant.ResNet50 : ResNetVariant.ResNet101;

    [Theory]
    [MemberData(nameof(Variants))]
    public void StateDictHasTorchvisionsKeysAndShapes(string name)
    {
        using var model = new ResNetEncoder(Variant(name));
        var expected = TorchvisionKeys.GetProperty(name).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetInt64()).ToArray());
        var actual = model.StateDict();
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, shape) in expected) Assert.True(shape.SequenceEqual(actual[key].Shape), $"{key}: [{string.Join(", ", actual[key].Shape)}]");
        Assert.Equal(TorchvisionKeys.GetProperty(name + "_parameters").GetInt64(), model.ParameterCount());
    }

    [Fact]
    public void TorchvisionShapedWeightsLoadStrictlyFromAFile()
    {
        // A state dict with torchvision's names and shapes, written to disk and loaded back strictly.
        using var scope = DisposeScope.Begin();
        var state = TorchvisionKeys.GetProperty("resnet50").EnumerateObject().ToDictionary(
            p => p.Name,
            p => p.Name.EndsWith("num_batches_tracked", StringComparison.Ordinal)
                ? Tensor.Full([], 7, DType.Int64)
                : Tensor.Full([.. p.Value.EnumerateArray().Select(v => v.GetInt64())], 0.5));
        string path = Path.Combine(Path.GetTempPath(), $"resnet50-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensors.Save(path, state);
            using var model = new ResNetEncoder(ResNetVariant.ResNet50);
            Assert.True(model.LoadStateDict(SafeTensors.Load(path)).IsExact);
            Assert.Equal(0.5f, model.Stages[3][2] is Bottleneck b ? b.Conv3.Weight.Max().Item<float>() : float.NaN);
            Assert.Equal(7L, model.Bn1.NumBatchesTracked.Item<long>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void StagesHaveTheDocumentedStridesChannelsAndMacs()
    {
        using var model = new ResNetEncoder(ResNetVariant.ResNet50);
        model.Eval();
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        var x = Tensor.Randn([1, 3, 224, 224], new Generator(0));
        using var counter = MacCounter.Begin();
        var logits = model.Forward(x);
        Assert.Equal([1L, 1000], logits.Shape);
        // torchvision reports 4.09 GFLOPs (multiply-accumulates) for resnet50 at 224.
        Assert.InRange(counter.Macs / 1e9, 4.08, 4.12);

        var maps = model.ForwardIntermediates(x, [0, 1, 2, -1]);
        Assert.Equal([4, 8, 16, 32], maps.Select(m => m.Stride));
        Assert.Equal([256L, 512, 1024, 2048], maps.Select(m => m.Features.Size(1)));
        Assert.Equal([56L, 28, 14, 7], maps.Select(m => m.Features.Size(2)));
        Assert.Equal(["layer1", "layer2", "layer3", "layer4"], maps.Select(m => m.Name));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ForwardIntermediates(x, [4]));
    }
}
