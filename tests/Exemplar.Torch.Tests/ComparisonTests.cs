namespace Exemplar.Torch.Tests;

/// <summary>Comparisons (to bool tensors), logical ops on bool tensors, bitwise ops on integers, AllClose/Equal.</summary>
public class ComparisonTests
{
    [Fact]
    public void TensorComparisonsBroadcast()
    {
        using var a = Tensor.From([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        using var b = Tensor.From([2f, 2f, 5f]);
        using (var t = a.Eq(b)) Check.Bools(t, [2, 3], [false, true, false, false, false, false]);
        using (var t = a.Ne(b)) Check.Bools(t, [2, 3], [true, false, true, true, true, true]);
        using (var t = a.Lt(b)) Check.Bools(t, [2, 3], [true, false, true, false, false, false]);
        using (var t = a.Le(b)) Check.Bools(t, [2, 3], [true, true, true, false, false, false]);
        using (var t = a.Gt(b)) Check.Bools(t, [2, 3], [false, false, false, true, true, true]);
        using (var t = a.Ge(b)) Check.Bools(t, [2, 3], [false, true, false, true, true, true]);
    }

    [Fact]
    public void ScalarComparisons()
    {
        using var a = Tensor.From([1L, 2L, 3L]);
        using (var t = a.Eq(2)) Check.Bools(t, [3], [false, true, false]);
        using (var t = a.Ne(2)) Check.Bools(t, [3], [true, false, true]);
        using (var t = a.Lt(2)) Check.Bools(t, [3], [true, false, false]);
        using (var t = a.Le(2)) Check.Bools(t, [3], [true, true, false]);
        using (var t = a.Gt(2.5)) Check.Bools(t, [3], [false, false, true]);
        using (var t = a.Ge(2)) Check.Bools(t, [3], [false, true, true]);
    }

    [Fact]
    public void LogicalOperatorsOnBoolTensors()
    {
        using var p = Tensor.From([true, true, false, false]);
        using var q = Tensor.From([true, false, true, false]);
        using (var t = p & q) Check.Bools(t, [4], [true, false, false, false]);
        using (var t = p | q) Check.Bools(t, [4], [true, true, true, false]);
        using (var t = p ^ q) Check.Bools(t, [4], [false, true, true, false]);
        using (var t = ~p) Check.Bools(t, [4], [false, false, true, true]);
        using (var t = p.LogicalNot()) Check.Bools(t, [4], [false, false, true, true]);
    }

    [Fact]
    public void BitwiseOperatorsOnIntegers()
    {
        using var a = Tensor.From([12L, 0L]);
        using var b = Tensor.From([10L, 5L]);
        using (var t = a & b) Check.Longs(t, [2], [8, 0]);
        using (var t = a | b) Check.Longs(t, [2], [14, 5]);
        using (var t = a ^ b) Check.Longs(t, [2], [6, 5]);
        using (var t = ~a) Check.Longs(t, [2], [-13, -1]);
    }

    [Fact]
    public void LogicalNotOfNumbersIsZeroTest()
    {
        using var x = Tensor.From([0f, 1.5f, -2f]);
        using var n = x.LogicalNot();
        Check.Bools(n, [3], [true, false, false]);
    }

    [Fact]
    public void CombinedMaskFromComparisons()
    {
        using var x = Tensor.From([-2f, -0.5f, 0.5f, 2f]);
        using var lo = x.Gt(-1);
        using var hi = x.Lt(1);
        using var inside = lo & hi;
        Check.Bools(inside, [4], [false, true, true, false]);
        using var count = inside.Sum();
        Assert.Equal(2L, count.Item<long>());
    }

    [Fact]
    public void AllAndAny()
    {
        using var mixed = Tensor.From([true, false]);
        using var ones = Tensor.From([true, true]);
        using (var t = mixed.All()) Assert.False(t.Item<bool>());
        using (var t = mixed.Any()) Assert.True(t.Item<bool>());
        using (var t = ones.All()) Assert.True(t.Item<bool>());
    }

    [Fact]
    public void AllCloseAndEqual()
    {
        using var a = Tensor.From([1f, 2f, 3f]);
        using var b = Tensor.From([1f, 2f, 3.000001f]);
        using var c = Tensor.From([1f, 2f, 3.1f]);
        using var a2 = Tensor.From([1f, 2f, 3f]);
        Assert.True(a.AllClose(b));
        Assert.False(a.AllClose(c));
        Assert.True(a.AllClose(c, atol: 0.2));
        Assert.True(a.Equal(a2));
        Assert.False(a.Equal(b));
        using var reshaped = a2.View(3, 1);
        Assert.False(a.Equal(reshaped));

        using var n1 = Tensor.From([float.NaN]);
        using var n2 = Tensor.From([float.NaN]);
        Assert.False(n1.AllClose(n2));
        Assert.True(n1.AllClose(n2, equalNan: true));
    }
}
