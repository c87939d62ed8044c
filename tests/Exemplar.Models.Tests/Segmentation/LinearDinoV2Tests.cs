using Exemplar.Models.DinoV2;
using Exemplar.Models.Segmentation;
using Exemplar.Models.Tests.DinoV2;
using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Xunit.Abstractions;

namespace Exemplar.Models.Tests.Segmentation;

public sealed class LinearDinoV2Tests(ITestOutputHelper output)
{
    [Fact]
    public void KeysAreOtxsAndOnlyTheHeadTrains()
    {
        using var network = new LinearDinoV2(5);
        using var plain = DinoVisionTransformer.ViTS14();
        var state = network.StateDict();
        var head = state.Where(p => p.Key.StartsWith("decode_head.", StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value.Shape);
        var expected = new Dictionary<string, long[]>
        {
            ["decode_head.convs.0.conv.weight"] = [1536, 1536, 1, 1],
            ["decode_head.convs.0.bn.weight"] = [1536],
            ["decode_head.convs.0.bn.bias"] = [1536],
            ["decode_head.convs.0.bn.running_mean"] = [1536],
            ["decode_head.convs.0.bn.running_var"] = [1536],
            ["decode_head.convs.0.bn.num_batches_tracked"] = [],
            ["decode_head.conv_seg.weight"] = [5, 1536, 1, 1],
            ["decode_head.conv_seg.bias"] = [5],
        };
        Assert.Equal(expected.Keys.Order(), head.Keys.Order());
        foreach (var (key, shape) in expected) Assert.Equal(shape, head[key]);
        Assert.Equal(plain.StateDict().Keys.Select(k => "backbone." + k).Order(), state.Keys.Where(k => k.StartsWith("backbone.", StringComparison.Ordinal)).Order());

        Assert.All(network.Backbone.Parameters(), p => Assert.False(p.RequiresGrad));
        Assert.All(network.Head.Parameters(), p => Assert.True(p.RequiresGrad));
        Assert.Equal(1536L * 1536 + 2 * 1536 + 5 * 1536 + 5, network.ParameterCount(trainableOnly: true));
        Assert.Equal(plain.ParameterCount() + network.ParameterCount(trainableOnly: true), network.ParameterCount());
        Assert.Equal(14, network.Preprocessing.SizeMultiple);
    }

    [Fact]
    public void GradientsReachTheHeadOnly()
    {
        using var scope = DisposeScope.Begin();
        var options = new DinoV2Options(32, 2, 2) { ImageSize = 56 };
        using var network = new LinearDinoV2(2, new DinoVisionTransformer(options), layers: 2);
        var logits = network.Forward(Tensor.Randn([1, 3, 28, 42], new Generator(0)));
        Assert.Equal([1L, 2, 28, 42], logits.Shape);
        logits.Square().Mean().Backward();
        Assert.All(network.Backbone.Parameters(), p => Assert.Null(p.Grad));
        Assert.All(network.Head.Parameters(), p => Assert.NotNull(p.Grad));
        Assert.Throws<ArgumentException>(() => network.Forward(Tensor.Zeros([1, 3, 32, 32])));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearDinoV2(2, new DinoVisionTransformer(options), layers: 3));
    }

    /// <summary>
    /// On the tiny parity fixture (3 blocks, so the head takes all 3), the network's logits equal the head applied by
    /// hand to the official implementation's get_intermediate_layers(n=3, reshape=True, norm=True) outputs.
    /// </summary>
    [SharedFact(DinoV2Fixture.Plain)]
    public void LogitsAreTheHeadOnTheOfficialIntermediateLayers()
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        using var network = new LinearDinoV2(3, DinoV2Fixture.Model(DinoV2Fixture.Plain), layers: 3);
        var generator = new Generator(7);
        var head = network.Head.NamedParameters().Concat(network.Head.NamedBuffers()).ToDictionary(p => p.Item1, p => p.Item2);
        foreach (var (name, t) in head)
        {
            if (!t.DType.IsFloatingPoint()) continue;
            // Non-trivial batch-norm statistics, so that evaluation mode is what is compared.
            t.Copy_(name.EndsWith("running_var", StringComparison.Ordinal) ? Tensor.Rand(t.Shape, generator) + 0.5 : Tensor.Randn(t.Shape, generator) * 0.05);
        }
        network.Eval();
        var inputs = DinoV2Fixture.Tensors(DinoV2Fixture.Plain, "input");
        foreach (string input in DinoV2Fixture.Inputs)
        {
            var expected = DinoV2Fixture.Tensors(DinoV2Fixture.Plain, "expected." + input);
            var image = inputs[input];
            var x = Tensor.Cat([expected["intermediate0.patch_nchw"], expected["intermediate1.patch_nchw"], expected["intermediate2.patch_nchw"]], 1);
            x = Functional.Conv2d(x, head["convs.0.conv.weight"]);
            x = Functional.BatchNorm(x, head["convs.0.bn.running_mean"], head["convs.0.bn.running_var"], head["convs.0.bn.weight"], head["convs.0.bn.bias"]);
            x = Functional.Conv2d(x, head["conv_seg.weight"], head["conv_seg.bias"]);
            var reference = Functional.Interpolate(x, (int)image.Size(2), (int)image.Size(3), InterpolationMode.Bilinear);
            double error = DinoV2Fixture.MaxAbsDiff(network.Forward(image), reference);
            output.WriteLine($"{input}: max |logits - head(official layers)| {error:E2}, |logits| max {reference.Abs().Max().ToDouble():F3}");
            Assert.True(error < 1e-4, $"{input}: {error:E2}");
        }
    }
}
