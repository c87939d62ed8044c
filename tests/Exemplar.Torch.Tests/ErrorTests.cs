namespace Exemplar.Torch.Tests;

/// <summary>
/// Failures surface as managed exceptions carrying ATen's message, never as a crash, and leave the runtime usable
/// (no leaked handles, later calls work).
/// </summary>
public class ErrorTests
{
    [Fact]
    public void BroadcastMismatchKeepsAtenMessage()
    {
        using var a = Tensor.Ones([3]);
        using var b = Tensor.Ones([4]);
        var e = Assert.Throws<TorchException>(() => a + b);
        Assert.Contains("The size of tensor a (3) must match the size of tensor b (4)", e.Message);
        Assert.Contains("non-singleton dimension 0", e.Message);
    }

    [Fact]
    public void MatmulShapeMismatch()
    {
        using var a = Tensor.Ones([2, 3]);
        using var b = Tensor.Ones([4, 5]);
        var e = Assert.Throws<TorchException>(() => a.Matmul(b));
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", e.Message);
        using var batch = Tensor.Ones([2, 3, 4]);
        var e2 = Assert.Throws<TorchException>(() => a.Bmm(batch));
        Assert.Contains("batch1 must be a 3D tensor", e2.Message);
    }

    [Fact]
    public void OtherAtenChecks()
    {
        using var x = Tensor.Ones([2, 3]);
        Assert.Contains("shape '[4]' is invalid for input of size 6", Assert.Throws<TorchException>(() => x.View(4)).Message);
        using var y = Tensor.Ones([2, 4]);
        Assert.Contains("Sizes of tensors must match except in dimension 0", Assert.Throws<TorchException>(() => Tensor.Cat([x, y])).Message);
        using var logits = Tensor.Zeros([2, 3]);
        using var target = Tensor.From([0L, 5L]);
        Assert.Contains("Target 5 is out of bounds", Assert.Throws<TorchException>(() => Functional.CrossEntropy(logits, target)).Message);
    }

    [Fact]
    public void UnknownOperatorAndOverload()
    {
        using var x = Tensor.Ones([2]);
        var e = Assert.Throws<TorchException>(() => Ops.Call("aten::definitely_not_an_op", "", x));
        Assert.Contains("unknown operator aten::definitely_not_an_op", e.Message);
        var e2 = Assert.Throws<TorchException>(() => Op.Get("aten::add", "NoSuchOverload").Schema);
        Assert.Contains("aten::add.NoSuchOverload", e2.Message);
    }

    [Fact]
    public void TooManyAndTooFewArguments()
    {
        using var x = Tensor.Ones([2]);
        var e = Assert.Throws<TorchException>(() => Ops.Call("aten::relu", "", x, x));
        Assert.Contains("takes at most 1 arguments, got 2", e.Message);
        var e2 = Assert.Throws<TorchException>(() => Ops.Call("aten::add", "Tensor", x));
        Assert.Contains("missing required argument 'other'", e2.Message);
        var e3 = Assert.Throws<TorchException>(() => Ops.Call("aten::select", "int", x, 0.5, 0));
        Assert.Contains("argument 'dim' expects an int, got a float", e3.Message);
        var e4 = Assert.Throws<TorchException>(() => Ops.Call("aten::relu", "", OpArg.Default));
        Assert.Contains("has no default value", e4.Message);
    }

    [Fact]
    public void DisposedTensorThrowsObjectDisposed()
    {
        var x = Tensor.Ones([2]);
        x.Dispose();
        Assert.True(x.IsDisposed);
        x.Dispose(); // twice is harmless
        Assert.Throws<ObjectDisposedException>(() => x.Shape);
        Assert.Throws<ObjectDisposedException>(() => x.ToArray<float>());
        Assert.Throws<ObjectDisposedException>(() => x + 1);
        using var y = Tensor.Ones([2]);
        Assert.Throws<ObjectDisposedException>(() => Tensor.Cat([y, x]));
        Assert.Equal("Tensor(disposed)", x.ToString());
    }

    [Fact]
    public void TensorDisposedByItsScopeThrowsObjectDisposed()
    {
        Tensor escaped;
        using (DisposeScope.Begin())
        {
            escaped = Tensor.Ones([2]);
        }
        Assert.True(escaped.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => escaped.Sum());
    }

    [Fact]
    public void DisposedGeneratorThrowsObjectDisposed()
    {
        var g = new Generator(1);
        g.Dispose();
        g.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Tensor.Rand([2], g));
    }

    [Fact]
    public void WrongElementTypeForToArray()
    {
        using var x = Tensor.Ones([2]);
        var e = Assert.Throws<TorchException>(() => x.ToArray<double>());
        Assert.Contains("Float32", e.Message);
        Assert.Throws<TorchException>(() => x.Item<long>());
        Assert.Throws<NotSupportedException>(() => x.ToArray<decimal>());
    }

    [Fact]
    public void DataSizeMismatches()
    {
        var e = Assert.Throws<TorchException>(() => Tensor.From([1f, 2f, 3f], 2, 2));
        Assert.Contains("buffer holds 12 bytes", e.Message);
        using var x = Tensor.Ones([3]);
        var buffer = new float[2];
        Assert.Throws<TorchException>(() => x.CopyTo<float>(buffer));
        var e2 = Assert.Throws<TorchException>(() => x.Item<float>());
        Assert.Contains("one element", e2.Message);
    }

    [Fact]
    public void AutogradMisuse()
    {
        using var x = Tensor.Ones([3]);
        var e = Assert.Throws<TorchException>(() => x.Backward());
        Assert.Contains("does not require grad", e.Message);
        using var i = Tensor.Ones([2], DType.Int64);
        var e2 = Assert.Throws<TorchException>(() => i.RequiresGrad = true);
        Assert.Contains("can require gradients", e2.Message); // "Only Tensors of floating point and complex dtype …"

        using var w = Tensor.Ones([3]).RequiresGrad_();
        using var y = w * 2;
        var e3 = Assert.Throws<TorchException>(() => y.Backward());
        Assert.Contains("grad can be implicitly created only for scalar outputs", e3.Message);
    }

    [Fact]
    public void FailuresLeakNoHandlesAndTheRuntimeStaysUsable()
    {
        using var a = Tensor.Ones([3]);
        using var b = Tensor.Ones([4]);
        long before = Check.SettledLiveCount();
        for (int k = 0; k < 100; k++)
        {
            Assert.Throws<TorchException>(() => a + b);
            Assert.Throws<TorchException>(() => a.Matmul(b));
            Assert.Throws<TorchException>(() => Ops.Call("aten::relu", "", a, a));
        }
        Assert.Equal(before, Tensor.LiveCount);
        using var c = a + a;
        Assert.Equal([2f, 2f, 2f], c.ToArray<float>());
    }

    [Fact]
    public void InvalidManagedArguments()
    {
        Assert.Throws<FormatException>(() => Device.Parse("tpu"));
        Assert.Equal(Device.Cuda(1), Device.Parse("cuda:1"));
        Assert.Equal(Device.Cpu, Device.Parse(" CPU "));
        Assert.Throws<ArgumentOutOfRangeException>(() => LibTorch.Threads = 0);
    }
}
