namespace Exemplar.Torch.Tests;

/// <summary>
/// Compares autograd gradients with central finite differences, in float64. The function's output is reduced to the
/// scalar L = Σ f(inputs) ⊙ probe with fixed random weights <c>probe</c>, so that every output element matters.
/// </summary>
internal static class GradCheck
{
    /// <summary>Asserts that ∂L/∂inputs[k] from <see cref="Tensor.Backward"/> matches (L(x + ε) − L(x − ε)) / 2ε for each k in <paramref name="wrt"/>.</summary>
    /// <param name="f">The function; it must be built from tensor operations only (no captured tensors needing grads).</param>
    /// <param name="inputs">Float64 inputs (copied; the originals are not modified).</param>
    /// <param name="wrt">Indices of the inputs to differentiate (all when null).</param>
    /// <param name="eps">Finite-difference step.</param>
    /// <param name="rtol">Relative tolerance.</param>
    /// <param name="atol">Absolute tolerance (for gradient entries near zero).</param>
    public static void Verify(Func<Tensor[], Tensor> f, Tensor[] inputs, int[]? wrt = null, double eps = 1e-6, double rtol = 1e-6, double atol = 1e-7)
    {
        wrt ??= [.. Enumerable.Range(0, inputs.Length)];
        var data = inputs.Select(t => t.ToArray<double>()).ToArray();
        var shapes = inputs.Select(t => t.Shape).ToArray();
        Assert.All(inputs, t => Assert.Equal(DType.Float64, t.DType));

        using var scope = DisposeScope.Begin();
        var leaves = new Tensor[inputs.Length];
        for (int i = 0; i < leaves.Length; i++)
        {
            leaves[i] = Tensor.From(data[i], shapes[i]);
            if (wrt.Contains(i)) leaves[i].RequiresGrad = true;
        }
        var output = f(leaves);
        Assert.Equal(DType.Float64, output.DType);
        Assert.True(output.RequiresGrad, "the output does not depend on the checked inputs");
        using var generator = new Generator(20240601);
        var probe = Tensor.Randn(output.Shape, generator, DType.Float64);
        var loss = (output * probe).Sum();
        loss.Backward();

        foreach (int k in wrt)
        {
            var grad = leaves[k].Grad ?? throw new Xunit.Sdk.XunitException($"input {k} received no gradient");
            double[] analytic = grad.ToArray<double>();
            double[] numeric = new double[data[k].Length];
            for (int j = 0; j < numeric.Length; j++)
            {
                double original = data[k][j];
                data[k][j] = original + eps;
                double plus = Evaluate(f, data, shapes, probe);
                data[k][j] = original - eps;
                double minus = Evaluate(f, data, shapes, probe);
                data[k][j] = original;
                numeric[j] = (plus - minus) / (2 * eps);
            }
            try
            {
                Check.Close(numeric, analytic, atol, rtol);
            }
            catch (Xunit.Sdk.XunitException e)
            {
                throw new Xunit.Sdk.XunitException($"gradient of input {k} (expected: finite differences, actual: autograd): {e.Message}");
            }
        }
    }

    private static double Evaluate(Func<Tensor[], Tensor> f, double[][] data, long[][] shapes, Tensor probe)
    {
        using var noGrad = LibTorch.NoGrad();
        using var scope = DisposeScope.Begin();
        var inputs = new Tensor[data.Length];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = Tensor.From(data[i], shapes[i]);
        using var loss = (f(inputs) * probe).Sum();
        return loss.Item<double>();
    }
}
