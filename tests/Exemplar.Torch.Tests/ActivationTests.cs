namespace Exemplar.Torch.Tests;

/// <summary>Element-wise activations and dropout.</summary>
public class ActivationTests
{
    private static Tensor Inputs() => Tensor.From([-3f, -1f, -0.5f, 0f, 0.5f, 1f, 3f, 7f]);

    [Fact]
    public void ReluAndRelu6()
    {
        using var x = Inputs();
        using (var y = Functional.Relu(x)) Check.Close(y, [8], [0f, 0f, 0f, 0f, 0.5f, 1f, 3f, 7f], atol: 0);
        using (var y = Functional.Relu6(x)) Check.Close(y, [8], [0f, 0f, 0f, 0f, 0.5f, 1f, 3f, 6f], atol: 0);
    }

    [Fact]
    public void ReluInPlace()
    {
        using var x = Inputs();
        using (var y = Functional.Relu_(x)) { }
        Check.Close(x, [8], [0f, 0f, 0f, 0f, 0.5f, 1f, 3f, 7f], atol: 0);
    }

    [Fact]
    public void LeakyRelu()
    {
        using var x = Inputs();
        using var y = Functional.LeakyRelu(x, 0.2);
        Check.Close(y, [8], [-0.6f, -0.2f, -0.1f, 0f, 0.5f, 1f, 3f, 7f], atol: 1e-7);
    }

    [Fact]
    public void GeluExactAndTanhApproximationDiffer()
    {
        using var x = Inputs();
        using var exact = Functional.Gelu(x);
        using var approx = Functional.Gelu(x, tanhApproximation: true);
        // x·Φ(x): Φ(1) = 0.8413447, so gelu(1) = 0.8413447; the tanh formula gives 0.8411920.
        Check.Close(exact, [8], [-0.0040498674f, -0.15865529f, -0.15426879f, 0f, 0.3457312f, 0.8413447f, 2.9959502f, 7f], atol: 1e-6);
        Check.Close(approx, [8], [-0.003637433f, -0.158808f, -0.154286f, 0f, 0.345714f, 0.841192f, 2.9963627f, 7f], atol: 1e-6);
        using var diff = exact - approx;
        using var absDiff = diff.Abs();
        using var maxDiff = absDiff.Max();
        Assert.InRange(maxDiff.Item<float>(), 1e-4f, 1e-3f); // they differ, but not by much
    }

    [Fact]
    public void SiluSigmoidTanh()
    {
        using var x = Inputs();
        using (var y = Functional.Silu(x))
            Check.Close(y, [8], [-0.14227761f, -0.26894143f, -0.18877034f, 0f, 0.31122968f, 0.7310586f, 2.8577225f, 6.9936228f], atol: 1e-6);
        using (var y = Functional.Sigmoid(x))
            Check.Close(y, [8], [0.047425874f, 0.26894143f, 0.37754068f, 0.5f, 0.62245935f, 0.7310586f, 0.95257413f, 0.999089f], atol: 1e-6);
        using (var y = Functional.Tanh(x))
            Check.Close(y, [8], [-0.9950548f, -0.7615942f, -0.46211717f, 0f, 0.46211717f, 0.7615942f, 0.9950548f, 0.9999983f], atol: 1e-6);
    }

    [Fact]
    public void Hardswish()
    {
        using var x = Inputs();
        using var y = Functional.Hardswish(x);
        // x·relu6(x + 3)/6: −1 → −1·2/6, 0.5 → 0.5·3.5/6, 3 → 3·6/6.
        Check.Close(y, [8], [0f, -1f / 3, -0.5f * 2.5f / 6, 0f, 0.5f * 3.5f / 6, 4f / 6, 3f, 7f], atol: 1e-6);
    }

    [Fact]
    public void DropoutWithZeroProbabilityOrEvalIsIdentity()
    {
        using var g = new Generator(2);
        using var x = Tensor.Randn([100], g);
        using (var y = Functional.Dropout(x, 0, training: true)) Assert.True(y.Equal(x));
        using (var y = Functional.Dropout(x, 0.7, training: false)) Assert.True(y.Equal(x));
    }

    [Fact]
    public void DropoutSeededZeroesAndScales()
    {
        using var ones = Tensor.Ones([10]);
        LibTorch.ManualSeed(123);
        using var a = Functional.Dropout(ones, 0.5, training: true);
        // torch.manual_seed(123); F.dropout(torch.ones(10), 0.5)
        Check.Close(a, [10], [2f, 2f, 0f, 2f, 2f, 0f, 0f, 0f, 0f, 2f], atol: 0);
        LibTorch.ManualSeed(123);
        using var b = Functional.Dropout(ones, 0.5, training: true);
        Assert.True(a.Equal(b));

        using var many = Tensor.Ones([20000]);
        using var d = Functional.Dropout(many, 0.25, training: true);
        var v = d.ToArray<float>();
        Assert.All(v, e => Assert.True(e == 0f || Math.Abs(e - 4f / 3) < 1e-6));
        double kept = v.Count(e => e != 0) / (double)v.Length;
        Assert.InRange(kept, 0.73, 0.77);
    }

    [Fact]
    public void DropoutRejectsBadProbability()
    {
        using var x = Tensor.Ones([2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.Dropout(x, 1.5, training: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.Dropout(x, -0.1, training: true));
    }
}
