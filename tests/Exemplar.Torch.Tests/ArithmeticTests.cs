namespace Exemplar.Torch.Tests;

/// <summary>Element-wise arithmetic with broadcasting, scalar operands, unary functions and in-place updates.</summary>
public class ArithmeticTests
{
    [Fact]
    public void AddBroadcastsRowOverMatrix()
    {
        using var a = Tensor.From([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        using var b = Tensor.From([10f, 20f, 30f]);
        using var c = a + b;
        Check.Close(c, [2, 3], [11f, 22f, 33f, 14f, 25f, 36f], atol: 0);
    }

    [Fact]
    public void MulBroadcastsColumnTimesRowToOuterProduct()
    {
        using var col = Tensor.From([1f, 2f], 2, 1);
        using var row = Tensor.From([3f, 4f, 5f], 1, 3);
        using var outer = col * row;
        Check.Close(outer, [2, 3], [3f, 4f, 5f, 6f, 8f, 10f], atol: 0);
    }

    [Fact]
    public void SubAndDivBroadcastAgainstZeroDimTensor()
    {
        using var a = Tensor.From([2f, 4f, 8f]);
        using var s = Tensor.Scalar(2f);
        using var diff = a - s;
        using var quot = a / s;
        using var rdiv = s / a;
        Check.Close(diff, [3], [0f, 2f, 6f], atol: 0);
        Check.Close(quot, [3], [1f, 2f, 4f], atol: 0);
        Check.Close(rdiv, [3], [1f, 0.5f, 0.25f], atol: 0);
    }

    [Fact]
    public void ScalarOperandsOnBothSides()
    {
        using var a = Tensor.From([1f, -2f, 4f]);
        using var plus = a + 2;
        using var plusLeft = 2 + a;
        using var minus = a - 1.5;
        using var rminus = 10 - a;
        using var times = a * 3;
        using var timesLeft = -0.5 * a;
        using var div = a / 4;
        using var rdiv = 1 / a;
        using var neg = -a;
        Check.Close(plus, [3], [3f, 0f, 6f], atol: 0);
        Check.Close(plusLeft, [3], [3f, 0f, 6f], atol: 0);
        Check.Close(minus, [3], [-0.5f, -3.5f, 2.5f], atol: 0);
        Check.Close(rminus, [3], [9f, 12f, 6f], atol: 0);
        Check.Close(times, [3], [3f, -6f, 12f], atol: 0);
        Check.Close(timesLeft, [3], [-0.5f, 1f, -2f], atol: 0);
        Check.Close(div, [3], [0.25f, -0.5f, 1f], atol: 0);
        Check.Close(rdiv, [3], [1f, -0.5f, 0.25f], atol: 0);
        Check.Close(neg, [3], [-1f, 2f, -4f], atol: 0);
    }

    [Fact]
    public void IntegerArithmeticKeepsInt64AndTrueDivisionGivesFloat()
    {
        using var a = Tensor.From([7L, -7L]);
        using var b = Tensor.From([2L, 2L]);
        using var sum = a + b;
        using var prod = a * b;
        using var quot = a / b;
        Check.Longs(sum, [2], [9, -5]);
        Check.Longs(prod, [2], [14, -14]);
        Check.Close(quot, [2], [3.5f, -3.5f], atol: 0);
    }

    [Fact]
    public void MixedDtypesPromote()
    {
        using var i = Tensor.From([1L, 2L]);
        using var d = Tensor.From([0.5, 0.25]);
        using var sum = i + d;
        Check.Close(sum, [2], [1.5, 2.25]);
        using var f = Tensor.From([1.5f]);
        using var h = Tensor.From([(Half)2f]);
        using var fh = f * h;
        Assert.Equal(DType.Float32, fh.DType);
        Assert.Equal([3f], fh.ToArray<float>());
    }

    [Fact]
    public void AddWithAlpha()
    {
        using var a = Tensor.From([1f, 2f]);
        using var b = Tensor.From([10f, 20f]);
        using var c = a.Add(b, alpha: -0.5);
        Check.Close(c, [2], [-4f, -8f], atol: 0);
    }

    [Fact]
    public void PowRemainderClampLerp()
    {
        using var a = Tensor.From([1f, 2f, 3f]);
        using var sq = a.Pow(2);
        Check.Close(sq, [3], [1f, 4f, 9f], atol: 0);
        using var e = Tensor.From([2f, 0.5f, -1f]);
        using var p = a.Pow(e);
        Check.Close(p, [3], [1f, 1.4142135f, 0.33333334f], atol: 1e-7);

        using var m = Tensor.From([-7f, 7f, -7.5f]);
        using var r = m.Remainder(3);
        Check.Close(r, [3], [2f, 1f, 1.5f], atol: 0);
        using var rn = m.Remainder(-3);
        Check.Close(rn, [3], [-1f, -2f, -1.5f], atol: 0);

        using var x = Tensor.From([-2f, 0.5f, 3f]);
        using var c = x.Clamp(-1, 1);
        using var cMin = x.Clamp(min: 0);
        using var cMax = x.Clamp(max: 0);
        Check.Close(c, [3], [-1f, 0.5f, 1f], atol: 0);
        Check.Close(cMin, [3], [0f, 0.5f, 3f], atol: 0);
        Check.Close(cMax, [3], [-2f, 0f, 0f], atol: 0);

        using var end = Tensor.From([2f, 2.5f, 5f]);
        using var l = x.Lerp(end, 0.25);
        Check.Close(l, [3], [-1f, 1f, 3.5f], atol: 0);
    }

    [Fact]
    public void MaximumAndMinimumBroadcast()
    {
        using var a = Tensor.From([1f, 5f, 3f, 0f], 2, 2);
        using var b = Tensor.From([2f, 2f]);
        using var mx = a.Maximum(b);
        using var mn = a.Minimum(b);
        Check.Close(mx, [2, 2], [2f, 5f, 3f, 2f], atol: 0);
        Check.Close(mn, [2, 2], [1f, 2f, 2f, 0f], atol: 0);
    }

    [Fact]
    public void UnaryFunctions()
    {
        using var x = Tensor.From([0.5f, 1f, 2f]);
        using (var t = x.Exp()) Check.Close(t, [3], [1.6487212f, 2.7182817f, 7.3890562f], atol: 1e-6);
        using (var t = x.Log()) Check.Close(t, [3], [-0.6931472f, 0f, 0.6931472f], atol: 1e-7);
        using (var t = x.Log1p()) Check.Close(t, [3], [0.4054651f, 0.6931472f, 1.0986123f], atol: 1e-7);
        using (var t = x.Sqrt()) Check.Close(t, [3], [0.70710677f, 1f, 1.4142135f], atol: 1e-7);
        using (var t = x.Rsqrt()) Check.Close(t, [3], [1.4142135f, 1f, 0.70710677f], atol: 1e-7);
        using (var t = x.Reciprocal()) Check.Close(t, [3], [2f, 1f, 0.5f], atol: 0);
        using (var t = x.Square()) Check.Close(t, [3], [0.25f, 1f, 4f], atol: 0);
        using (var t = x.Sin()) Check.Close(t, [3], [0.47942555f, 0.84147096f, 0.9092974f], atol: 1e-7);
        using (var t = x.Cos()) Check.Close(t, [3], [0.87758255f, 0.5403023f, -0.41614684f], atol: 1e-7);
        using (var t = x.Erf()) Check.Close(t, [3], [0.5204999f, 0.8427008f, 0.9953223f], atol: 1e-7);

        using var y = Tensor.From([-1.5f, -0.5f, 0f, 0.5f, 1.5f, 2.5f]);
        using (var t = y.Abs()) Check.Close(t, [6], [1.5f, 0.5f, 0f, 0.5f, 1.5f, 2.5f], atol: 0);
        using (var t = y.Floor()) Check.Close(t, [6], [-2f, -1f, 0f, 0f, 1f, 2f], atol: 0);
        using (var t = y.Ceil()) Check.Close(t, [6], [-1f, -0f, 0f, 1f, 2f, 3f], atol: 0);
        using (var t = y.Round()) Check.Close(t, [6], [-2f, -0f, 0f, 0f, 2f, 2f], atol: 0); // half to even
        using (var t = y.Sign()) Check.Close(t, [6], [-1f, -1f, 0f, 1f, 1f, 1f], atol: 0);
    }

    [Fact]
    public void IsNanFindsNaN()
    {
        using var x = Tensor.From([1f, float.NaN, float.PositiveInfinity]);
        using var n = x.IsNan();
        Check.Bools(n, [3], [false, true, false]);
    }

    [Fact]
    public void InPlaceOperationsModifyTheTensor()
    {
        using var x = Tensor.From([1f, 2f]);
        using var y = Tensor.From([10f, 10f]);
        using (var r = x.Add_(y, 2)) Check.Close(r, [2], [21f, 22f], atol: 0);
        Check.Close(x, [2], [21f, 22f], atol: 0);
        using (x.Mul_(0.5)) { }
        Check.Close(x, [2], [10.5f, 11f], atol: 0);
        using (x.Fill_(3)) { }
        Check.Close(x, [2], [3f, 3f], atol: 0);
        using (x.Zero_()) { }
        Check.Close(x, [2], [0f, 0f], atol: 0);
        using var src = Tensor.From([4L]);
        using (x.Copy_(src)) { }
        Check.Close(x, [2], [4f, 4f], atol: 0); // broadcast and converted
    }

    [Fact]
    public void CloneIsIndependentAliasIsShared()
    {
        using var x = Tensor.From([1f, 2f]);
        using var clone = x.Clone();
        using var alias = x.Alias();
        using (x.Fill_(9)) { }
        Assert.Equal([1f, 2f], clone.ToArray<float>());
        Assert.Equal([9f, 9f], alias.ToArray<float>());
        alias.Dispose();
        Assert.False(x.IsDisposed);
    }
}
