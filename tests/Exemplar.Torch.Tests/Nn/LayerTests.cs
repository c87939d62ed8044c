using Exemplar.Torch.Nn;

namespace Exemplar.Torch.Tests.Nn;

public class LayerTests
{
    [Fact]
    public void LinearComputesXWTransposePlusBias()
    {
        using var layer = new Linear(2, 3);
        using (LibTorch.NoGrad())
        {
            using var w = Tensor.From([1f, 2, 3, 4, 5, 6], 3, 2);
            using var b = Tensor.From([0.5f, -1, 0]);
            using var _ = layer.Weight.Copy_(w);
            using var __ = layer.Bias!.Copy_(b);
        }
        using var x = Tensor.From([1f, -1], 1, 2);
        using var y = layer.Forward(x);
        Assert.Equal([-0.5f, -2f, -1f], y.ToArray<float>());
    }

    [Fact]
    public void DefaultInitialisationHasPyTorchBounds()
    {
        using var layer = new Linear(100, 50);
        float bound = 1 / MathF.Sqrt(100);
        using var maxW = layer.Weight.Abs().Max();
        Assert.InRange(maxW.Item<float>(), bound * 0.9f, bound);
        using var conv = new Conv2d(8, 4, 3);
        float convBound = 1 / MathF.Sqrt(8 * 9);
        using var maxC = conv.Weight.Abs().Max();
        Assert.InRange(maxC.Item<float>(), convBound * 0.8f, convBound);
    }

    [Fact]
    public void TruncatedNormalStaysInItsBounds()
    {
        using var t = Tensor.Empty([10000]);
        Init.TruncNormal_(t, std: 0.02, low: -0.04, high: 0.04, generator: new Generator(5));
        using var max = t.Abs().Max();
        Assert.True(max.Item<float>() <= 0.04f);
        using var std = t.Std();
        Assert.InRange(std.Item<float>(), 0.015f, 0.02f); // truncation at 2σ shrinks σ to ≈0.88σ
    }

    [Fact]
    public void XavierUniformHasGlorotBounds()
    {
        // [out 200, in 300]: b = √(6 / 500); its standard deviation is b / √3.
        using var w = Tensor.Empty([200, 300]);
        using (var g = new Generator(3)) Init.XavierUniform_(w, generator: g);
        double b = Math.Sqrt(6.0 / 500);
        using var max = w.Abs().Max();
        Assert.InRange(max.Item<float>(), 0.99 * b, b * (1 + 1e-6));
        using var std = w.Std();
        Assert.InRange(std.Item<float>(), 0.97 * b / Math.Sqrt(3), 1.03 * b / Math.Sqrt(3));

        // Convolution [16, 8, 3, 3], gain 2: fan_in 72, fan_out 144, b = 2·√(6 / 216) = 1/3.
        using var conv = Tensor.Empty([16, 8, 3, 3]);
        using (var g = new Generator(4)) Init.XavierUniform_(conv, gain: 2, generator: g);
        using var maxC = conv.Abs().Max();
        Assert.InRange(maxC.Item<float>(), 0.95 / 3, (1 + 1e-6) / 3);
    }

    [Fact]
    public void MultiheadAttentionMatchesTheExplicitFormula()
    {
        LibTorch.ManualSeed(9);
        using var mha = new MultiheadAttention(8, heads: 2, downsampleRate: 2); // internal dim 4: two heads of 2 channels
        using var scope = DisposeScope.Begin();
        using var g = new Generator(10);
        var query = Tensor.Randn([2, 3, 8], g);
        var key = Tensor.Randn([2, 5, 8], g);
        var value = Tensor.Randn([2, 5, 8], g);
        var y = mha.Forward((query, key, value));
        Assert.Equal([2L, 3, 8], y.Shape);

        var q = Functional.Linear(query, mha.QProj.Weight, mha.QProj.Bias); // [2, 3, 4]
        var k = Functional.Linear(key, mha.KProj.Weight, mha.KProj.Bias);   // [2, 5, 4]
        var v = Functional.Linear(value, mha.VProj.Weight, mha.VProj.Bias); // [2, 5, 4]
        var heads = new Tensor[2];
        for (int h = 0; h < 2; h++)
        {
            // Head h owns channels [2h, 2h + 2): softmax(q kᵀ / √2) v.
            var (qh, kh, vh) = (q.Narrow(2, 2 * h, 2), k.Narrow(2, 2 * h, 2), v.Narrow(2, 2 * h, 2));
            heads[h] = Functional.Softmax(qh.Matmul(kh.Transpose(1, 2)) / Math.Sqrt(2), -1).Matmul(vh); // [2, 3, 2]
        }
        var expected = Functional.Linear(Tensor.Cat(heads, 2), mha.OutProj.Weight, mha.OutProj.Bias);
        Assert.True(y.AllClose(expected, 1e-5, 1e-6));
    }

    [Fact]
    public void AttentionMatchesTheExplicitFormula()
    {
        LibTorch.ManualSeed(7);
        using var attn = new Attention(8, 2);
        using var scope = DisposeScope.Begin();
        var x = Tensor.Randn([2, 5, 8], new Generator(8));
        var y = attn.Forward(x);

        var qkv = Functional.Linear(x, attn.Qkv.Weight, attn.Qkv.Bias).Reshape(2, 5, 3, 2, 4).Permute(2, 0, 3, 1, 4);
        var q = qkv.Select(0, 0);
        var k = qkv.Select(0, 1);
        var v = qkv.Select(0, 2);
        var weights = Functional.Softmax(q.Matmul(k.Transpose(-2, -1)) / 2.0, -1); // √4 = 2
        var expected = Functional.Linear(weights.Matmul(v).Transpose(1, 2).Reshape(2, 5, 8), attn.Proj.Weight, attn.Proj.Bias);
        Assert.True(y.AllClose(expected, 1e-5, 1e-6));
    }

    [Fact]
    public void PatchEmbedTokensAndItsErrors()
    {
        using var pe = new PatchEmbed(14, 3, 16);
        using var x = Tensor.Zeros([1, 3, 28, 42]);
        using var tokens = pe.Forward(x);
        Assert.Equal([1L, 6, 16], tokens.Shape);
        using var bad = Tensor.Zeros([1, 3, 30, 42]);
        var ex = Assert.Throws<TorchException>(() => pe.Forward(bad));
        Assert.Contains("multiple of the patch size 14", ex.Message);
    }

    [Fact]
    public void DropPathDropsWholeSamplesOnlyWhenTraining()
    {
        LibTorch.ManualSeed(11);
        using var dp = new DropPath(0.5);
        using var x = Tensor.Ones([64, 3, 2]);
        using var y = dp.Forward(x);
        var values = y.ToArray<float>();
        for (int s = 0; s < 64; s++)
        {
            var sample = values.Skip(s * 6).Take(6).Distinct().ToArray();
            Assert.Single(sample);
            Assert.Contains(sample[0], new[] { 0f, 2f });
        }
        Assert.Contains(0f, values);
        Assert.Contains(2f, values);
        dp.Eval();
        using var z = dp.Forward(x);
        Assert.True(z.Equal(x));
    }

    [Fact]
    public void Dropout2dDropsWholeChannelsOnlyWhenTraining()
    {
        LibTorch.ManualSeed(12);
        using var dropout = new Dropout2d(0.5);
        using var x = Tensor.Ones([4, 16, 3, 2]);
        using var y = dropout.Forward(x);
        var values = y.ToArray<float>();
        for (int c = 0; c < 4 * 16; c++)
        {
            var channel = values.Skip(c * 6).Take(6).Distinct().ToArray();
            Assert.Single(channel);
            Assert.Contains(channel[0], new[] { 0f, 2f });
        }
        Assert.Contains(0f, values);
        Assert.Contains(2f, values);
        dropout.Eval();
        using var z = dropout.Forward(x);
        Assert.True(z.Equal(x));
    }
}
