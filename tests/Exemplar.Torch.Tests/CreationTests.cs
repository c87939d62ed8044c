namespace Exemplar.Torch.Tests;

/// <summary>Factories: constant tensors, ranges, identity, seeded random sampling.</summary>
public class CreationTests
{
    [Fact]
    public void ZerosHasShapeDtypeAndZeros()
    {
        using var z = Tensor.Zeros([2, 3]);
        Check.Close(z, [2, 3], [0f, 0f, 0f, 0f, 0f, 0f], atol: 0);
        Assert.Equal(2, z.Dim);
        Assert.Equal(6, z.NumEl);
        Assert.Equal(Device.Cpu, z.Device);
        Assert.False(z.RequiresGrad);
    }

    [Fact]
    public void OnesWithInt64Dtype()
    {
        using var o = Tensor.Ones([3], DType.Int64);
        Check.Longs(o, [3], [1, 1, 1]);
    }

    [Fact]
    public void FullFillsWithValue()
    {
        using var f = Tensor.Full([2, 2], 7.5, DType.Float64);
        Check.Close(f, [2, 2], [7.5, 7.5, 7.5, 7.5]);
        using var i = Tensor.Full([2], -4, DType.Int32);
        Assert.Equal([-4, -4], i.ToArray<int>());
    }

    [Fact]
    public void ZerosLikeAndOnesLikeKeepShapeAndDtype()
    {
        using var x = Tensor.Full([2, 1], 3, DType.Float64);
        using var z = Tensor.ZerosLike(x);
        using var o = Tensor.OnesLike(x);
        Check.Close(z, [2, 1], [0.0, 0.0]);
        Check.Close(o, [2, 1], [1.0, 1.0]);
    }

    [Fact]
    public void EmptyHasRequestedShape()
    {
        using var e = Tensor.Empty([4, 0, 2]);
        Assert.Equal([4L, 0, 2], e.Shape);
        Assert.Equal(0, e.NumEl);
        Assert.Empty(e.ToArray<float>());
    }

    [Fact]
    public void ArangeIntegerDefaultsToInt64()
    {
        using var a = Tensor.Arange(5);
        Check.Longs(a, [5], [0, 1, 2, 3, 4]);
    }

    [Fact]
    public void ArangeWithFractionalStepExcludesEnd()
    {
        using var a = Tensor.Arange(1, 2, 0.25);
        Check.Close(a, [4], [1f, 1.25f, 1.5f, 1.75f], atol: 0);
        using var b = Tensor.Arange(0, 1, 0.3);
        Check.Close(b, [4], [0f, 0.3f, 0.6f, 0.9f], atol: 1e-7);
        using var c = Tensor.Arange(10, 0, -3, DType.Int64);
        Check.Longs(c, [4], [10, 7, 4, 1]);
    }

    [Fact]
    public void LinspaceIncludesBothEnds()
    {
        using var l = Tensor.Linspace(-1, 1, 5);
        Check.Close(l, [5], [-1f, -0.5f, 0f, 0.5f, 1f], atol: 1e-7);
        using var d = Tensor.Linspace(0, 1, 4, DType.Float64);
        Check.Close(d, [4], [0.0, 1.0 / 3, 2.0 / 3, 1.0], atol: 1e-15);
    }

    [Fact]
    public void EyeSquareAndRectangular()
    {
        using var i3 = Tensor.Eye(3);
        Check.Close(i3, [3, 3], [1f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 1f], atol: 0);
        using var i23 = Tensor.Eye(2, 3, DType.Int64);
        Check.Longs(i23, [2, 3], [1, 0, 0, 0, 1, 0]);
    }

    [Fact]
    public void RandIsReproducibleWithSeededGenerator()
    {
        using var g1 = new Generator(1234);
        using var g2 = new Generator(1234);
        using var g3 = new Generator(1235);
        using var a = Tensor.Rand([2, 3], g1);
        using var b = Tensor.Rand([2, 3], g2);
        using var c = Tensor.Rand([2, 3], g3);
        Assert.Equal(a.ToArray<float>(), b.ToArray<float>());
        Assert.NotEqual(a.ToArray<float>(), c.ToArray<float>());
        // The same stream as torch.rand(2, 3, generator=torch.Generator().manual_seed(1234)).
        Check.Close(a, [2, 3], [0.028979242f, 0.40189856f, 0.25984418f, 0.36664134f, 0.058300734f, 0.70064473f], atol: 1e-7);
        Assert.Equal(1234UL, g1.Seed);
    }

    [Fact]
    public void RandGeneratorAdvancesBetweenCalls()
    {
        using var g = new Generator(5);
        using var a = Tensor.Rand([4], g);
        using var b = Tensor.Rand([4], g);
        Assert.NotEqual(a.ToArray<float>(), b.ToArray<float>());
    }

    [Fact]
    public void RandValuesLieInUnitIntervalWithMeanOneHalf()
    {
        using var g = new Generator(99);
        using var r = Tensor.Rand([20000], g, DType.Float64);
        var v = r.ToArray<double>();
        Assert.All(v, x => Assert.InRange(x, 0.0, 0.9999999999));
        Assert.InRange(v.Average(), 0.49, 0.51);
        Assert.True(v.Min() < 0.001 && v.Max() > 0.999);
    }

    [Fact]
    public void RandnIsReproducibleAndStandardNormal()
    {
        using var g1 = new Generator(1234);
        using var g2 = new Generator(1234);
        using var a = Tensor.Randn([2, 3], g1);
        using var b = Tensor.Randn([2, 3], g2);
        Assert.Equal(a.ToArray<float>(), b.ToArray<float>());
        Check.Close(a, [2, 3], [0.046130463f, 0.40240282f, -1.0115291f, 0.21673824f, -0.6122731f, 0.50361073f], atol: 1e-6);

        using var g = new Generator(3);
        using var big = Tensor.Randn([20000], g);
        using var mean = big.Mean();
        using var std = big.Std();
        Check.Scalar(0, mean, atol: 0.03);
        Check.Scalar(1, std, atol: 0.03);
    }

    [Fact]
    public void RandintIsReproducibleAndInRange()
    {
        using var g1 = new Generator(1234);
        using var a = Tensor.Randint(-3, 4, [2, 4], g1);
        Check.Longs(a, [2, 4], [3, 1, -3, 2, -3, -2, 3, 1]);

        using var g2 = new Generator(8);
        using var many = Tensor.Randint(5, 9, [5000], g2);
        var v = many.ToArray<long>();
        Assert.All(v, x => Assert.InRange(x, 5L, 8L));
        Assert.Equal([5L, 6, 7, 8], v.Distinct().Order().ToArray());

        using var g3 = new Generator(1);
        using var i32 = Tensor.Randint(0, 3, [10], g3, DType.Int32);
        Assert.Equal(DType.Int32, i32.DType);
    }

    [Fact]
    public void RandpermIsAPermutation()
    {
        using var g = new Generator(7);
        using var p = Tensor.Randperm(6, g);
        Check.Longs(p, [6], [3, 0, 1, 5, 2, 4]);
    }

    [Fact]
    public void ScalarIsZeroDimensional()
    {
        using var s = Tensor.Scalar(2.5);
        Assert.Equal(0, s.Dim);
        Assert.Empty(s.Shape);
        Assert.Equal(1, s.NumEl);
        Assert.Equal(2.5, s.Item<double>());
        using var i = Tensor.Scalar(7L);
        Assert.Equal(7L, i.Item<long>());
        Assert.Equal(7.0, i.ToDouble());
    }
}
