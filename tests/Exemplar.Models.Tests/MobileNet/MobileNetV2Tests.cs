using Exemplar.Models.MobileNet;
using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Net = Exemplar.Models.MobileNet.MobileNetV2;

namespace Exemplar.Models.Tests.MobileNetV2;

/// <summary>The architecture with random weights: names, sizes, shapes, cost. No shared files needed.</summary>
public class MobileNetV2Tests
{
    [Fact]
    public void HasTorchvisionsConvolutionNamesWithFoldedBatchNorm()
    {
        using var net = new Net();
        var state = net.StateDict();
        // 52 convolutions (weight + bias each) and the classifier; no batch-norm tensors anywhere.
        Assert.Equal(52 * 2 + 2, state.Count);
        Assert.DoesNotContain(state.Keys, k => k.Contains("running_") || k.Contains("num_batches"));
        Assert.Equal([32L, 3, 3, 3], state["features.0.0.weight"].Shape);
        Assert.Equal([32L], state["features.0.0.bias"].Shape);
        Assert.Equal([32L, 1, 3, 3], state["features.1.conv.0.0.weight"].Shape);
        Assert.Equal([16L, 32, 1, 1], state["features.1.conv.1.weight"].Shape);
        Assert.Equal([96L, 16, 1, 1], state["features.2.conv.0.0.weight"].Shape);
        Assert.Equal([96L, 1, 3, 3], state["features.2.conv.1.0.weight"].Shape);
        Assert.Equal([24L, 96, 1, 1], state["features.2.conv.2.weight"].Shape);
        Assert.Equal([960L, 1, 3, 3], state["features.17.conv.1.0.weight"].Shape);
        Assert.Equal([320L, 960, 1, 1], state["features.17.conv.2.weight"].Shape);
        Assert.Equal([1280L, 320, 1, 1], state["features.18.0.weight"].Shape);
        Assert.Equal([1000L, 1280], state["classifier.1.weight"].Shape);
        Assert.Equal([1000L], state["classifier.1.bias"].Shape);
        // Residual connections where stride is 1 and channels stay: 1 + 2 + 3 + 2 + 2 blocks.
        Assert.Equal([3, 5, 6, 8, 9, 10, 12, 13, 15, 16],
            Enumerable.Range(0, net.Features.Count).Where(i => net.Features[i] is InvertedResidual { UsesResidual: true }));
    }

    [Fact]
    public void ParameterCountIsTorchvisionsMinusOnePerFoldedBatchNormChannel()
    {
        // torchvision's mobilenet_v2 has 3,504,872 parameters; its 52 batch norms cover 17,056 channels, each with a
        // weight and a bias that folding replaces by one convolution bias: 3,504,872 - 17,056 = 3,487,816.
        using var net = new Net();
        Assert.Equal(3_487_816, net.ParameterCount());
    }

    [Fact]
    public void CountsTorchvisionsMacsAt224And448()
    {
        // torchvision reports 300.8 M MACs for mobilenet_v2 at 224: convolutions 299,494,272 plus the 1280 × 1000
        // classifier. Convolution MACs scale with the pixel count, so 448 is exactly four times as many.
        using var net = new Net();
        net.Eval();
        using var noGrad = LibTorch.NoGrad();
        foreach (var (size, convMacs) in new[] { (224, 299_494_272L), (448, 1_197_977_088L) })
        {
            using var scope = DisposeScope.Begin();
            var image = Tensor.Zeros([1, 3, size, size]);
            using var counter = MacCounter.Begin();
            var logits = net.Forward(image);
            Assert.Equal([1L, 1000], logits.Shape);
            Assert.Equal(convMacs, counter.ConvolutionMacs);
            Assert.Equal(1_280_000, counter.LinearMacs);
            Assert.Equal(0, counter.MatmulMacs);
        }
    }

    [Fact]
    public void ReturnsLogitsFeaturesAndIntermediatesWithTheirStrides()
    {
        using var net = new Net();
        net.Eval();
        using var noGrad = LibTorch.NoGrad();
        using var image = Tensor.Randn([2, 3, 64, 96], new Generator(3));
        long live = Tensor.LiveCount;

        Assert.Equal(19, net.LevelCount);
        Assert.Equal(1280, net.FeatureChannels);
        Assert.Equal([2, 2, 4, 4, 8, 8, 8, 16, 16, 16, 16, 16, 16, 16, 32, 32, 32, 32, 32], net.LevelStrides);
        Assert.Equal([32L, 16, 24, 24, 32, 32, 32, 64, 64, 64, 64, 96, 96, 96, 160, 160, 160, 320, 1280], net.LevelChannels);
        Assert.Equal((32, 224), (net.Preprocessing.SizeMultiple, net.Preprocessing.DefaultSize));
        Assert.Equal([0.485, 0.456, 0.406], net.Preprocessing.Mean);
        Assert.Equal([0.229, 0.224, 0.225], net.Preprocessing.Std);

        using (var logits = net.Forward(image)) Assert.Equal([2L, 1000], logits.Shape);
        using (var final = net.ForwardFeatures(image))
        {
            Assert.Equal([2L, 1280, 2, 3], final.Features.Shape);
            Assert.Equal((32, "features.18"), (final.Stride, final.Name));
        }

        var maps = net.ForwardIntermediates(image, [.. Net.StageEnds, -1, 3]);
        try
        {
            Assert.Equal(["features.1", "features.3", "features.6", "features.13", "features.18", "features.18", "features.3"], maps.Select(m => m.Name));
            Assert.Equal([2, 4, 8, 16, 32, 32, 4], maps.Select(m => m.Stride));
            Assert.Equal([2L, 16, 32, 48], maps[0].Features.Shape);
            Assert.Equal([2L, 24, 16, 24], maps[1].Features.Shape);
            Assert.Equal([2L, 32, 8, 12], maps[2].Features.Shape);
            Assert.Equal([2L, 96, 4, 6], maps[3].Features.Shape);
            Assert.Equal([2L, 1280, 2, 3], maps[4].Features.Shape);
            Assert.True(maps[4].Features.Equal(maps[5].Features));
            // The last map equals what ForwardFeatures computes.
            using var final = net.ForwardFeatures(image);
            Assert.True(final.Features.AllClose(maps[4].Features, rtol: 0, atol: 0));
        }
        finally
        {
            foreach (var m in maps) m.Dispose();
        }
        Assert.Empty(net.ForwardIntermediates(image, []));
        Assert.Equal(live, Tensor.LiveCount);
    }

    [Fact]
    public void RejectsImagesItCannotTakeWithAClearMessage()
    {
        using var net = new Net();
        using var scope = DisposeScope.Begin();
        var odd = Assert.Throws<ArgumentException>(() => net.Forward(Tensor.Zeros([1, 3, 100, 64])));
        Assert.Contains("multiples of 32, got 100×64", odd.Message);
        var gray = Assert.Throws<ArgumentException>(() => net.ForwardFeatures(Tensor.Zeros([1, 1, 64, 64])));
        Assert.Contains("[N, 3, H, W], got [1, 1, 64, 64]", gray.Message);
        Assert.Throws<ArgumentException>(() => net.Forward(Tensor.Zeros([3, 64, 64])));
        Assert.Contains("floating-point", Assert.Throws<ArgumentException>(() => net.Forward(Tensor.Zeros([1, 3, 64, 64], DType.UInt8))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => net.ForwardIntermediates(Tensor.Zeros([1, 3, 64, 64]), [19]));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.ForwardIntermediates(Tensor.Zeros([1, 3, 64, 64]), [-20]));
    }
}
