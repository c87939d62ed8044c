using Exemplar.Models.MobileNet;
using Exemplar.TestSupport;
using Exemplar.Torch;
using Net = Exemplar.Models.MobileNet.MobileNetV2;

namespace Exemplar.Models.Tests.MobileNetV2;

/// <summary>Width multiplier (torchvision's rounding) and output stride 16 (stride turned into dilation).</summary>
public class MobileNetV2OptionsTests
{
    private const string WeightsFile = "weights/mobilenetv2-12-int8.onnx";

    [Theory]
    [InlineData(32 * 1.4, 48)]
    [InlineData(16 * 1.4, 24)]
    [InlineData(64 * 1.4, 88)]
    [InlineData(96 * 1.4, 136)]
    [InlineData(320 * 1.4, 448)]
    [InlineData(16 * 0.5, 8)]
    [InlineData(24 * 0.35, 8)]
    [InlineData(72 * 0.75, 56)] // 54: the nearest multiple of 8
    public void RoundsChannelsAsTorchvision(double scaled, long expected) => Assert.Equal(expected, Net.RoundChannels(scaled));

    [Fact]
    public void Width14HasTorchvisionsChannels()
    {
        using var net = new Net(new MobileNetV2Options(WidthMultiplier: 1.4));
        Assert.Equal([48L, 24, 32, 32, 48, 48, 48, 88, 88, 88, 88, 136, 136, 136, 224, 224, 224, 448, 1792], net.LevelChannels);
        Assert.Equal(1792, net.FeatureChannels);
        Assert.Equal([1000L, 1792], ((Exemplar.Torch.Nn.Linear)net.Classifier[1]).Weight.Shape);
    }

    [Fact]
    public void OutputStride16DilatesAfterFeatures14()
    {
        using var net = new Net(new MobileNetV2Options(OutputStride: 16));
        Assert.Equal(16, net.LevelStrides[^1]);
        Assert.Equal(16, net.LevelStrides[13]);
        var dilations = Enumerable.Range(1, 17).Select(i => ((InvertedResidual)net.Features[i]).Convolutions.Single(c => c.Conv.Groups > 1).Conv.Dilation).ToArray();
        Assert.Equal(Enumerable.Repeat(1, 14).Concat([2, 2, 2]), dilations);
        Assert.Equal(1, ((InvertedResidual)net.Features[14]).Stride);
        using var scope = DisposeScope.Begin();
        var maps = net.ForwardIntermediates(Tensor.Randn([1, 3, 64, 96], new Generator(0)), [17]);
        Assert.Equal([1L, 320, 4, 6], maps[0].Features.Shape);
    }

    [Fact]
    public void RefusesOtherOutputStridesAndWidths()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Net(new MobileNetV2Options(OutputStride: 8)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Net(new MobileNetV2Options(WidthMultiplier: 0)));
        var e = Assert.Throws<ArgumentException>(() => Net.FromOnnx("mobilenetv2-12-int8.onnx", new MobileNetV2Options(WidthMultiplier: 1.4)));
        Assert.Contains("1.4", e.Message);
    }

    [SharedFact(WeightsFile)]
    public void LoadsTheImageNetWeightsAtOutputStride16()
    {
        using var s32 = Net.FromOnnx(SharedFolder.PathOf(WeightsFile));
        using var s16 = Net.FromOnnx(SharedFolder.PathOf(WeightsFile), new MobileNetV2Options(OutputStride: 16));
        Assert.Equal(16, s16.LevelStrides[^1]);
        Assert.False(s16.Training);
        var a = s32.StateDict();
        foreach (var (key, value) in s16.StateDict()) Assert.True(value.Equal(a[key]), key);
    }
}
