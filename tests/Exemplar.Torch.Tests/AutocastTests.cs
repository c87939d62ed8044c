using Exemplar.Torch.Native;

namespace Exemplar.Torch.Tests;

/// <summary>CPU autocast to bfloat16: which dtype operators return inside and outside a region, nesting, and backward.</summary>
public class AutocastTests
{
    [Fact]
    public void LinearMatmulAndConv2dRunInBFloat16InsideTheRegionOnly()
    {
        using var scope = DisposeScope.Begin();
        using var g = new Generator(3);
        var x = Tensor.Randn([4, 8], g);
        var w = Tensor.Randn([5, 8], g);
        var b = Tensor.Randn([5], g);
        var image = Tensor.Randn([1, 2, 6, 6], g);
        var kernel = Tensor.Randn([3, 2, 3, 3], g);

        Assert.False(LibTorch.AutocastEnabled);
        using (LibTorch.Autocast())
        {
            Assert.True(LibTorch.AutocastEnabled);
            Assert.Equal(DType.BFloat16, Functional.Linear(x, w, b).DType);
            Assert.Equal(DType.BFloat16, x.Matmul(w.MT).DType);
            Assert.Equal(DType.BFloat16, Functional.Conv2d(image, kernel, padding: 1).DType);
            Assert.Equal(DType.Float32, (x + x).DType); // elementwise operators are left alone
        }
        Assert.False(LibTorch.AutocastEnabled);
        Assert.Equal(DType.Float32, Functional.Linear(x, w, b).DType);
        Assert.Equal(DType.Float32, x.Matmul(w.MT).DType);
        Assert.Equal(DType.Float32, Functional.Conv2d(image, kernel, padding: 1).DType);
    }

    [Fact]
    public void NestedRegionsRestoreThePreviousStateOnce()
    {
        int dtypeBefore = NativeMethods.ex_autocast_cpu_dtype();
        var outer = LibTorch.Autocast();
        var inner = LibTorch.Autocast(DType.BFloat16);
        inner.Dispose();
        Assert.True(LibTorch.AutocastEnabled); // still inside the outer region
        inner.Dispose();                       // a second Dispose does nothing
        Assert.True(LibTorch.AutocastEnabled);
        outer.Dispose();
        Assert.False(LibTorch.AutocastEnabled);
        Assert.Equal(dtypeBefore, NativeMethods.ex_autocast_cpu_dtype());
    }

    [Fact]
    public void OtherDTypesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => LibTorch.Autocast(DType.Float16));
        Assert.Throws<ArgumentException>(() => LibTorch.Autocast(DType.Float32));
        Assert.False(LibTorch.AutocastEnabled);
    }

    [Fact]
    public void TheRegionBelongsToItsThread()
    {
        using var region = LibTorch.Autocast();
        bool elsewhere = true;
        var other = new Thread(() => elsewhere = LibTorch.AutocastEnabled);
        other.Start();
        other.Join();
        Assert.False(elsewhere);
        Exception? leaving = null;
        var leaver = new Thread(() => leaving = Record.Exception(region.Dispose));
        leaver.Start();
        leaver.Join();
        Assert.IsType<InvalidOperationException>(leaving);
        Assert.True(LibTorch.AutocastEnabled);
    }

    [Fact]
    public void BackwardThroughARegionGivesFloat32GradientsOnFloat32Leaves()
    {
        using var scope = DisposeScope.Begin();
        using var g = new Generator(5);
        var x = Tensor.Randn([6, 4], g);
        var w = Tensor.Randn([3, 4], g).RequiresGrad_();
        var b = Tensor.Randn([3], g).RequiresGrad_();
        Tensor y;
        using (LibTorch.Autocast())
        {
            y = Functional.Linear(x, w, b);
        }
        Assert.Equal(DType.BFloat16, y.DType);
        y.To(DType.Float32).Sum().Backward();
        var gw = w.Grad!;
        var gb = b.Grad!;
        Assert.Equal(DType.Float32, gw.DType);
        Assert.Equal(DType.Float32, gb.DType);
        // d(sum(x·wᵀ + b))/dw = column sums of x (for every output row); /db = the batch size. bfloat16 keeps 8 bits.
        var xs = x.Sum(0).ToArray<float>();
        var expected = Enumerable.Range(0, 3).SelectMany(_ => xs).ToArray();
        Check.Close(expected, gw.ToArray<float>(), atol: 0.05, rtol: 0.02);
        Assert.Equal(new float[] { 6, 6, 6 }, gb.ToArray<float>());
    }
}
