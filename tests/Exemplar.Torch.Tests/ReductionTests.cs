namespace Exemplar.Torch.Tests;

/// <summary>Reductions over all elements and over dimensions, with and without keepDim.</summary>
public class ReductionTests
{
    // [[3, 9, 1],
    //  [7, 2, 8]]
    private static Tensor Sample() => Tensor.From([3f, 9f, 1f, 7f, 2f, 8f], 2, 3);

    [Fact]
    public void SumAllAndOverDims()
    {
        using var x = Sample();
        using (var t = x.Sum()) { Assert.Empty(t.Shape); Assert.Equal(30f, t.Item<float>()); }
        using (var t = x.Sum(0)) Check.Close(t, [3], [10f, 11f, 9f], atol: 0);
        using (var t = x.Sum(1, keepDim: true)) Check.Close(t, [2, 1], [13f, 17f], atol: 0);
        using (var t = x.Sum(-1)) Check.Close(t, [2], [13f, 17f], atol: 0);
        using (var t = x.Sum([0, 1])) Check.Close(t, [], [30f], atol: 0);
        using (var t = x.Sum([0, 1], keepDim: true)) Check.Close(t, [1, 1], [30f], atol: 0);
        using (var t = x.Sum(DType.Float64)) Check.Close(t, [], [30.0]);
        using (var t = x.Sum([1], dtype: DType.Float64)) Check.Close(t, [2], [13.0, 17.0]);
    }

    [Fact]
    public void SumOfIntegersAndBoolsIsInt64()
    {
        using var i = Tensor.From([1, 2, 3]);
        using (var t = i.Sum()) Check.Longs(t, [], [6]);
        using var b = Tensor.From([true, true, false]);
        using (var t = b.Sum()) Check.Longs(t, [], [2]);
    }

    [Fact]
    public void MeanAllAndOverDims()
    {
        using var x = Sample();
        using (var t = x.Mean()) Check.Close(t, [], [5f], atol: 1e-6);
        using (var t = x.Mean(0)) Check.Close(t, [3], [5f, 5.5f, 4.5f], atol: 1e-6);
        using (var t = x.Mean(1, keepDim: true)) Check.Close(t, [2, 1], [13f / 3, 17f / 3], atol: 1e-6);
        using (var t = x.Mean([0, 1], keepDim: true)) Check.Close(t, [1, 1], [5f], atol: 1e-6);
    }

    [Fact]
    public void MaxAndMinWithIndices()
    {
        using var x = Sample();
        using (var t = x.Max()) Check.Close(t, [], [9f], atol: 0);
        using (var t = x.Min()) Check.Close(t, [], [1f], atol: 0);

        var (values, indices) = x.Max(1);
        using (values) using (indices)
        {
            Check.Close(values, [2], [9f, 8f], atol: 0);
            Check.Longs(indices, [2], [1, 2]);
        }
        (values, indices) = x.Min(0, keepDim: true);
        using (values) using (indices)
        {
            Check.Close(values, [1, 3], [3f, 2f, 1f], atol: 0);
            Check.Longs(indices, [1, 3], [0, 1, 0]);
        }
        (values, indices) = x.Max(-2);
        using (values) using (indices)
        {
            Check.Close(values, [3], [7f, 9f, 8f], atol: 0);
            Check.Longs(indices, [3], [1, 0, 1]);
        }
    }

    [Fact]
    public void AmaxOverSeveralDims()
    {
        using var x = Tensor.From([1f, 8f, 3f, 4f, 5f, 2f, 7f, 6f], 2, 2, 2);
        using (var t = x.Amax([0, 2])) Check.Close(t, [2], [8f, 7f], atol: 0);
        using (var t = x.Amax([1], keepDim: true)) Check.Close(t, [2, 1, 2], [3f, 8f, 7f, 6f], atol: 0);
    }

    [Fact]
    public void ArgmaxAndArgmin()
    {
        using var x = Sample();
        using (var t = x.Argmax()) Check.Longs(t, [], [1]);
        using (var t = x.Argmin()) Check.Longs(t, [], [2]);
        using (var t = x.Argmax(0)) Check.Longs(t, [3], [1, 0, 1]);
        using (var t = x.Argmax(1, keepDim: true)) Check.Longs(t, [2, 1], [1, 2]);
        using (var t = x.Argmin(1)) Check.Longs(t, [2], [2, 1]);
    }

    [Fact]
    public void StdAndVarBiasedAndUnbiased()
    {
        using var x = Sample();
        using (var t = x.Var()) Check.Close(t, [], [11.6f], atol: 1e-5);
        using (var t = x.Std()) Check.Close(t, [], [3.4058774f], atol: 1e-6);
        using (var t = x.Var(unbiased: false)) Check.Close(t, [], [29f / 3], atol: 1e-5);
        using (var t = x.Std(unbiased: false)) Check.Close(t, [], [3.1091263f], atol: 1e-6);
        using (var t = x.Std([1])) Check.Close(t, [2], [4.163332f, 3.2145503f], atol: 1e-6);
        using (var t = x.Var([0], unbiased: false)) Check.Close(t, [3], [4f, 12.25f, 12.25f], atol: 1e-6);
        using (var t = x.Std([1], keepDim: true)) Assert.Equal([2L, 1], t.Shape);
    }

    [Fact]
    public void Norms()
    {
        using var v = Tensor.From([3f, -4f]);
        using (var t = v.Norm()) Check.Close(t, [], [5f], atol: 1e-6);
        using (var t = v.Norm(1)) Check.Close(t, [], [7f], atol: 1e-6);
        using (var t = v.Norm(double.PositiveInfinity)) Check.Close(t, [], [4f], atol: 0);

        using var x = Sample();
        using (var t = x.Norm()) Check.Close(t, [], [14.422205f], atol: 1e-5);
        using (var t = x.Norm(2, [1])) Check.Close(t, [2], [9.539392f, 10.816654f], atol: 1e-5);
        using (var t = x.Norm(3, [0], keepDim: true)) Check.Close(t, [1, 3], [7.179055f, 9.032803f, 8.005205f], atol: 1e-5);
    }

    [Fact]
    public void LogsumexpIsStableAndCorrect()
    {
        using var x = Sample();
        using (var t = x.Logsumexp([1])) Check.Close(t, [2], [9.00281f, 8.315072f], atol: 1e-5);
        using (var t = x.Logsumexp([0, 1])) Check.Close(t, [], [9.410082f], atol: 1e-5);
        using (var t = x.Logsumexp([0], keepDim: true)) Check.Close(t, [1, 3], [7.01815f, 9.000912f, 8.000912f], atol: 1e-5);

        using var big = Tensor.From([1000f, 1000f]);
        using (var t = big.Logsumexp([0])) Check.Close(t, [], [1000.6931f], atol: 1e-3);
    }

    [Fact]
    public void Cumsum()
    {
        using var x = Sample();
        using (var t = x.Cumsum(1)) Check.Close(t, [2, 3], [3f, 12f, 13f, 7f, 9f, 17f], atol: 0);
        using (var t = x.Cumsum(0)) Check.Close(t, [2, 3], [3f, 9f, 1f, 10f, 11f, 9f], atol: 0);
        using var i = Tensor.From([1, 2, 3]);
        using (var t = i.Cumsum(0, DType.Int64)) Check.Longs(t, [3], [1, 3, 6]);
    }
}
