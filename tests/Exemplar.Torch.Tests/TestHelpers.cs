namespace Exemplar.Torch.Tests;

/// <summary>Assertions on tensors and arrays with tolerances: |actual − expected| ≤ atol + rtol·|expected|.</summary>
internal static class Check
{
    /// <summary>Asserts that two float arrays have the same length and are element-wise close.</summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double atol = 1e-5, double rtol = 1e-5)
    {
        var e = new double[expected.Length];
        var a = new double[actual.Length];
        for (int i = 0; i < e.Length; i++) e[i] = expected[i];
        for (int i = 0; i < a.Length; i++) a[i] = actual[i];
        Close(e, a, atol, rtol);
    }

    /// <summary>Asserts that two double arrays have the same length and are element-wise close.</summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double atol = 1e-9, double rtol = 1e-9)
    {
        Assert.True(expected.Length == actual.Length, $"length: expected {expected.Length}, got {actual.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            bool ok = Math.Abs(a - e) <= atol + rtol * Math.Abs(e);
            Assert.True(ok, $"element {i}: expected {e:R}, got {a:R} (|diff| = {Math.Abs(a - e):E3}, atol {atol:E1}, rtol {rtol:E1})"
                + $"\nexpected: [{string.Join(", ", expected.ToArray())}]\nactual:   [{string.Join(", ", actual.ToArray())}]");
        }
    }

    /// <summary>Asserts that a float32 tensor has the given shape and values.</summary>
    public static void Close(Tensor actual, long[] shape, float[] expected, double atol = 1e-5, double rtol = 1e-5)
    {
        Assert.Equal(DType.Float32, actual.DType);
        Assert.Equal(shape, actual.Shape);
        Close(expected, actual.ToArray<float>(), atol, rtol);
    }

    /// <summary>Asserts that a float64 tensor has the given shape and values.</summary>
    public static void Close(Tensor actual, long[] shape, double[] expected, double atol = 1e-9, double rtol = 1e-9)
    {
        Assert.Equal(DType.Float64, actual.DType);
        Assert.Equal(shape, actual.Shape);
        Close(expected, actual.ToArray<double>(), atol, rtol);
    }

    /// <summary>Asserts that a float32 scalar (one-element) tensor holds <paramref name="expected"/>.</summary>
    public static void Scalar(double expected, Tensor actual, double atol = 1e-5, double rtol = 1e-5)
    {
        Assert.Equal(1, actual.NumEl);
        double a = actual.ToDouble();
        Assert.True(Math.Abs(a - expected) <= atol + rtol * Math.Abs(expected), $"expected {expected:R}, got {a:R}");
    }

    /// <summary>Asserts shape, dtype and exact values of an integer (int64) tensor.</summary>
    public static void Longs(Tensor actual, long[] shape, long[] expected)
    {
        Assert.Equal(DType.Int64, actual.DType);
        Assert.Equal(shape, actual.Shape);
        Assert.Equal(expected, actual.ToArray<long>());
    }

    /// <summary>Asserts shape, dtype and exact values of a bool tensor.</summary>
    public static void Bools(Tensor actual, long[] shape, bool[] expected)
    {
        Assert.Equal(DType.Bool, actual.DType);
        Assert.Equal(shape, actual.Shape);
        Assert.Equal(expected, actual.ToArray<bool>());
    }

    /// <summary>0, 1, …, n−1 as floats, shaped.</summary>
    public static Tensor Range(int n, params long[] shape)
    {
        var data = new float[n];
        for (int i = 0; i < n; i++) data[i] = i;
        return Tensor.From(data, shape);
    }

    /// <summary>0, 1, …, n−1 as doubles, shaped.</summary>
    public static Tensor RangeF64(int n, params long[] shape)
    {
        var data = new double[n];
        for (int i = 0; i < n; i++) data[i] = i;
        return Tensor.From(data, shape);
    }

    /// <summary>Collects every finalizable tensor, so that <see cref="Tensor.LiveCount"/> is stable during a test.</summary>
    public static long SettledLiveCount()
    {
        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        return Tensor.LiveCount;
    }
}
