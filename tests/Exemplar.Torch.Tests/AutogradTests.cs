namespace Exemplar.Torch.Tests;

/// <summary>Gradients against finite differences, and the mechanics of Backward/Grad/ZeroGrad/NoGrad/Detach.</summary>
public class AutogradTests
{
    private static Tensor Randn(Generator g, params long[] shape) => Tensor.Randn(shape, g, DType.Float64);

    /// <summary>Uniform in [lo, hi), float64.</summary>
    private static Tensor Uniform(Generator g, double lo, double hi, params long[] shape)
    {
        using var r = Tensor.Rand(shape, g, DType.Float64);
        using var scaled = r * (hi - lo);
        return scaled + lo;
    }

    [Fact]
    public void GradCheckDetectsAWrongGradient()
    {
        using var g = new Generator(1);
        using var x = Randn(g, 4);
        // x.Detach() hides one factor from autograd: the analytic gradient is x, the true one 2x.
        var e = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => GradCheck.Verify(t =>
        {
            using var d = t[0].Detach();
            return d * t[0];
        }, [x]));
        Assert.Contains("gradient of input 0", e.Message);
    }

    [Fact]
    public void Conv2dGradientsWrtInputWeightAndBias()
    {
        using var g = new Generator(2);
        using var input = Randn(g, 2, 2, 5, 5);
        using var weight = Randn(g, 3, 2, 3, 3);
        using var bias = Randn(g, 3);
        GradCheck.Verify(t => Functional.Conv2d(t[0], t[1], t[2], stride: 2, padding: 1), [input, weight, bias]);
        GradCheck.Verify(t => Functional.Conv2d(t[0], t[1], null, stride: (1, 2), padding: (1, 0), dilation: (2, 1)), [input, weight]);
    }

    [Fact]
    public void ConvTranspose2dGradients()
    {
        using var g = new Generator(3);
        using var input = Randn(g, 1, 2, 3, 3);
        using var weight = Randn(g, 2, 3, 2, 2);
        GradCheck.Verify(t => Functional.ConvTranspose2d(t[0], t[1], stride: 2, padding: 1, outputPadding: 1), [input, weight]);
    }

    [Fact]
    public void MatmulGradients()
    {
        using var g = new Generator(4);
        using var a = Randn(g, 3, 4);
        using var b = Randn(g, 4, 2);
        GradCheck.Verify(t => t[0].Matmul(t[1]), [a, b]);
        using var batch = Randn(g, 2, 3, 4);
        GradCheck.Verify(t => t[0].Matmul(t[1]), [batch, b]); // broadcasting over the batch
        using var v = Randn(g, 4);
        GradCheck.Verify(t => t[0].Matmul(t[1]), [a, v]);
    }

    [Fact]
    public void LayerNormGradientsWrtInputWeightAndBias()
    {
        using var g = new Generator(5);
        using var x = Randn(g, 2, 3, 4);
        using var w = Randn(g, 4);
        using var b = Randn(g, 4);
        GradCheck.Verify(t => Functional.LayerNorm(t[0], [4], t[1], t[2]), [x, w, b]);
        using var w2 = Randn(g, 3, 4);
        using var b2 = Randn(g, 3, 4);
        GradCheck.Verify(t => Functional.LayerNorm(t[0], [3, 4], t[1], t[2]), [x, w2, b2]);
    }

    [Fact]
    public void InterpolateBilinearGradients()
    {
        using var g = new Generator(6);
        using var x = Randn(g, 1, 2, 3, 4);
        GradCheck.Verify(t => Functional.Interpolate(t[0], 5, 7, InterpolationMode.Bilinear), [x]);
        GradCheck.Verify(t => Functional.Interpolate(t[0], 5, 7, InterpolationMode.Bilinear, alignCorners: true), [x]);
        GradCheck.Verify(t => Functional.Interpolate(t[0], 2, 3, InterpolationMode.Bilinear), [x]);
        using var big = Randn(g, 1, 1, 6, 6);
        GradCheck.Verify(t => Functional.Interpolate(t[0], 3, 2, InterpolationMode.Bilinear, antialias: true), [big]);
        GradCheck.Verify(t => Functional.Interpolate(t[0], 4, 5, InterpolationMode.Bicubic), [big]);
    }

    [Fact]
    public void GridSampleGradientsWrtInputAndGrid()
    {
        using var g = new Generator(7);
        using var input = Randn(g, 2, 2, 4, 5);
        using var grid = Uniform(g, -0.95, 0.95, 2, 3, 3, 2);
        GradCheck.Verify(t => Functional.GridSample(t[0], t[1], alignCorners: true), [input, grid]);
        GradCheck.Verify(t => Functional.GridSample(t[0], t[1], alignCorners: false), [input, grid]);
        GradCheck.Verify(t => Functional.GridSample(t[0], t[1], padding: GridSamplePadding.Border, alignCorners: false), [input, grid]);
    }

    [Fact]
    public void LossGradients()
    {
        using var g = new Generator(8);
        using var logits = Randn(g, 4, 3);
        using var target = Tensor.From([0L, 2L, 1L, 2L]);
        using var weights = Tensor.From([1.0, 2.0, 0.5]);
        GradCheck.Verify(t => Functional.CrossEntropy(t[0], target, weights, labelSmoothing: 0.1), [logits]);
        using var binary = Tensor.From([0.0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0], 4, 3);
        GradCheck.Verify(t => Functional.BinaryCrossEntropyWithLogits(t[0], binary), [logits]);
        GradCheck.Verify(t => Functional.DiceLoss(t[0], binary), [logits]);
        GradCheck.Verify(t => Functional.SigmoidFocalLoss(t[0], binary), [logits]);
    }

    [Fact]
    public void BackwardWithExplicitGradient()
    {
        using var x = Tensor.From([1f, 2f, 3f]).RequiresGrad_();
        using var y = x * x;
        using var upstream = Tensor.From([1f, 0.5f, -1f]);
        y.Backward(upstream);
        using var grad = x.Grad!;
        Check.Close(grad, [3], [2f, 2f, -6f], atol: 0); // 2x · upstream
    }

    [Fact]
    public void GradientsAccumulateAcrossBackwardCalls()
    {
        using var x = Tensor.From([1.0, -2.0]).RequiresGrad_();
        Assert.Null(x.Grad);
        for (int k = 1; k <= 2; k++)
        {
            using var cube = x.Pow(3);
            using var loss = cube.Sum();
            loss.Backward();
            using var grad = x.Grad!;
            Check.Close(grad, [2], [3.0 * k, 12.0 * k]); // 3x² per call
        }
        x.ZeroGrad();
        Assert.Null(x.Grad);
        using (var loss = x.Sum())
        {
            loss.Backward();
        }
        using var fresh = x.Grad!;
        Check.Close(fresh, [2], [1.0, 1.0]);
    }

    [Fact]
    public void RetainGraphAllowsASecondBackward()
    {
        using var x = Tensor.From([2f]).RequiresGrad_();
        using var y = x * x * x;
        using var loss = y.Sum();
        loss.Backward(retainGraph: true);
        loss.Backward();
        using var grad = x.Grad!;
        Check.Close(grad, [1], [24f], atol: 1e-5); // 2 · 3x²
        var e = Assert.Throws<TorchException>(() => loss.Backward());
        Assert.Contains("backward through the graph a second time", e.Message);
    }

    [Fact]
    public void CreateGraphGivesSecondDerivatives()
    {
        using var x = Tensor.From([2.0, -1.0]).RequiresGrad_();
        using (var y = x.Pow(3))
        using (var loss = y.Sum())
        {
            loss.Backward(createGraph: true);
        }
        using var first = x.Grad!;
        Assert.True(first.RequiresGrad);
        Check.Close(first, [2], [12.0, 3.0]); // 3x²
        x.ZeroGrad();
        using (var s = first.Sum()) s.Backward();
        using var second = x.Grad!;
        Check.Close(second, [2], [12.0, -6.0]); // 6x
    }

    [Fact]
    public void NoGradStopsRecording()
    {
        using var x = Tensor.Ones([2]).RequiresGrad_();
        Assert.True(LibTorch.GradEnabled);
        using (LibTorch.NoGrad())
        {
            Assert.False(LibTorch.GradEnabled);
            using var y = x * 2;
            Assert.False(y.RequiresGrad);
            Assert.True(y.IsLeaf);
            using (LibTorch.SetGradEnabled(true))
            {
                using var z = x * 2;
                Assert.True(z.RequiresGrad);
            }
            Assert.False(LibTorch.GradEnabled);
        }
        Assert.True(LibTorch.GradEnabled);
        using var w = x * 2;
        Assert.True(w.RequiresGrad);
        Assert.False(w.IsLeaf);
    }

    [Fact]
    public void DetachCutsTheGraphButSharesData()
    {
        using var x = Tensor.From([1f, 2f]).RequiresGrad_();
        using var y = x * 3;
        using var d = y.Detach();
        Assert.False(d.RequiresGrad);
        Assert.True(d.IsLeaf);
        Check.Close(d, [2], [3f, 6f], atol: 0);
        using (LibTorch.NoGrad())
        using (y.Mul_(2)) { }
        Assert.Equal([6f, 12f], d.ToArray<float>()); // same storage

        using var z = d * x; // only x is tracked
        using var loss = z.Sum();
        loss.Backward();
        using var grad = x.Grad!;
        Check.Close(grad, [2], [6f, 12f], atol: 0);
    }

    [Fact]
    public void LeavesAndRequiresGrad()
    {
        using var x = Tensor.Zeros([2]);
        Assert.False(x.RequiresGrad);
        Assert.True(x.IsLeaf);
        Assert.Same(x, x.RequiresGrad_());
        Assert.True(x.RequiresGrad);
        Assert.Contains("requires_grad", x.ToString());
        using var y = x + 1;
        Assert.False(y.IsLeaf);
        Assert.Null(y.Grad); // non-leaf gradients are not retained
        x.RequiresGrad = false;
        Assert.False(x.RequiresGrad);
    }
}
