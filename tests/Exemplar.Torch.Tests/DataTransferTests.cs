namespace Exemplar.Torch.Tests;

/// <summary>From / ToArray / FromBytes / ToBytes and dtype conversion, for every supported element type.</summary>
public class DataTransferTests
{
    [Fact]
    public void Float32RoundTripsWithShape()
    {
        float[] data = [1.5f, -2f, 3.25f, float.MaxValue, float.Epsilon, -0f];
        using var t = Tensor.From(data, 2, 3);
        Assert.Equal(DType.Float32, t.DType);
        Assert.Equal([2L, 3], t.Shape);
        Assert.Equal(data, t.ToArray<float>());
    }

    [Fact]
    public void Float64RoundTrips()
    {
        double[] data = [Math.PI, -1e300, 1e-300, double.NaN];
        using var t = Tensor.From(data);
        Assert.Equal(DType.Float64, t.DType);
        Assert.Equal([4L], t.Shape);
        var back = t.ToArray<double>();
        Assert.Equal(data[..3], back[..3]);
        Assert.True(double.IsNaN(back[3]));
    }

    [Fact]
    public void Int64AndInt32RoundTrip()
    {
        long[] longs = [long.MinValue, -1, 0, long.MaxValue];
        using var l = Tensor.From(longs);
        Assert.Equal(DType.Int64, l.DType);
        Assert.Equal(longs, l.ToArray<long>());

        int[] ints = [int.MinValue, -7, 0, int.MaxValue];
        using var i = Tensor.From(ints, 2, 2);
        Assert.Equal(DType.Int32, i.DType);
        Assert.Equal(ints, i.ToArray<int>());
        using var widened = i.To(DType.Int64);
        Assert.Equal([(long)int.MinValue, -7, 0, int.MaxValue], widened.ToArray<long>());
    }

    [Fact]
    public void UInt8RoundTripsAndConverts()
    {
        byte[] data = [0, 1, 127, 128, 255];
        using var t = Tensor.From(data);
        Assert.Equal(DType.UInt8, t.DType);
        Assert.Equal(data, t.ToArray<byte>());
        using var f = t.To(DType.Float32);
        Assert.Equal([0f, 1f, 127f, 128f, 255f], f.ToArray<float>());
    }

    [Fact]
    public void BoolRoundTripsAndConverts()
    {
        bool[] data = [true, false, false, true];
        using var t = Tensor.From(data, 2, 2);
        Assert.Equal(DType.Bool, t.DType);
        Assert.Equal(data, t.ToArray<bool>());
        using var l = t.To(DType.Int64);
        Assert.Equal([1L, 0, 0, 1], l.ToArray<long>());
        using var f = Tensor.From([0f, 2f, -0.5f]);
        using var b = f.To(DType.Bool);
        Assert.Equal([false, true, true], b.ToArray<bool>());
    }

    [Fact]
    public void HalfRoundTripsAndRoundsLikeLibtorch()
    {
        Half[] data = [(Half)1.5f, (Half)(-2f), Half.MaxValue, (Half)0.25f];
        using var t = Tensor.From(data);
        Assert.Equal(DType.Float16, t.DType);
        Assert.Equal(data, t.ToArray<Half>());
        using var f = t.To(DType.Float32);
        Assert.Equal([1.5f, -2f, 65504f, 0.25f], f.ToArray<float>());

        // float32 → float16 in libtorch: torch.tensor([1.00390625, 3.14159, 1e-3]).half().view(torch.int16)
        using var src = Tensor.From([1.00390625f, 3.14159f, 1e-3f]);
        using var h = src.To(DType.Float16);
        var bits = h.ToArray<Half>().Select(BitConverter.HalfToUInt16Bits).ToArray();
        Assert.Equal(new ushort[] { 15364, 16968, 5145 }, bits);
        // .NET's own conversion agrees.
        Assert.Equal(bits, new[] { 1.00390625f, 3.14159f, 1e-3f }.Select(v => BitConverter.HalfToUInt16Bits((Half)v)).ToArray());
    }

    [Fact]
    public void BFloat16RoundTripsAndMatchesLibtorchRounding()
    {
        float[] values = [1.00390625f, 3.14159f, 1.0f, -2.5f, 65504f, 1e-3f];
        // torch.tensor(values).bfloat16().view(torch.int16), as unsigned bits.
        ushort[] expectedBits = [16256, 16457, 16256, 49184, 18304, 14979];

        using var src = Tensor.From(values);
        using var bf = src.To(DType.BFloat16);
        Assert.Equal(DType.BFloat16, bf.DType);
        var fromTorch = bf.ToArray<BFloat16>();
        Assert.Equal(expectedBits, fromTorch.Select(b => b.Bits).ToArray());

        // The C# struct rounds the same way (1.00390625 is a tie that rounds to even, 1.0).
        Assert.Equal(expectedBits, values.Select(v => ((BFloat16)v).Bits).ToArray());
        Assert.Equal([1f, 3.140625f, 1f, -2.5f, 65536f, 0.00099945068359375f], fromTorch.Select(b => (float)b).ToArray());

        // From<BFloat16> creates a bfloat16 tensor holding exactly those bits.
        using var direct = Tensor.From(values.Select(v => (BFloat16)v).ToArray(), 2, 3);
        Assert.Equal(DType.BFloat16, direct.DType);
        using var bfView = bf.View(2, 3);
        Assert.True(direct.Equal(bfView));
        using var widened = direct.To(DType.Float32);
        Assert.Equal([1f, 3.140625f, 1f, -2.5f, 65536f, 0.00099945068359375f], widened.ToArray<float>());
    }

    [Fact]
    public void BFloat16NaNStaysNaN()
    {
        var nan = (BFloat16)float.NaN;
        Assert.True(float.IsNaN((float)nan));
        Assert.Equal("1.5", ((BFloat16)1.5f).ToString());
    }

    [Fact]
    public void FromBytesReadsLittleEndianElements()
    {
        // 1.0f = 00 00 80 3F, -2.0 = 00 .. 00 C0.
        using var f = Tensor.FromBytes([0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0], DType.Float32, [2]);
        Assert.Equal([1f, -2f], f.ToArray<float>());
        using var d = Tensor.FromBytes([0, 0, 0, 0, 0, 0, 0, 0xC0], DType.Float64, []);
        Assert.Equal(-2.0, d.Item<double>());
        using var bf = Tensor.FromBytes([0x80, 0x3F, 0x20, 0xC0], DType.BFloat16, [2]);
        using var bf32 = bf.To(DType.Float32);
        Assert.Equal([1f, -2.5f], bf32.ToArray<float>());
        using var h = Tensor.FromBytes([0x00, 0x3C], DType.Float16, [1, 1]);
        Assert.Equal((Half)1f, h.Item<Half>());
        using var i = Tensor.FromBytes([0xFF, 0xFF, 0xFF, 0xFF, 2, 0, 0, 0], DType.Int32, [2]);
        Assert.Equal([-1, 2], i.ToArray<int>());
        using var l = Tensor.FromBytes([3, 0, 0, 0, 0, 0, 0, 0], DType.Int64, [1]);
        Assert.Equal([3L], l.ToArray<long>());
        using var u = Tensor.FromBytes([9, 250], DType.UInt8, [2]);
        Assert.Equal(new byte[] { 9, 250 }, u.ToArray<byte>());
        using var b = Tensor.FromBytes([1, 0, 1], DType.Bool, [3]);
        Assert.Equal([true, false, true], b.ToArray<bool>());
    }

    [Fact]
    public void ToBytesOfANonContiguousViewIsRowMajor()
    {
        using var x = Tensor.From([1f, 2f, 3f, 4f], 2, 2);
        using var t = x.Transpose(0, 1);
        Assert.False(t.IsContiguous);
        var bytes = t.ToBytes();
        Assert.Equal(16, bytes.Length);
        var floats = new float[4];
        Buffer.BlockCopy(bytes, 0, floats, 0, 16);
        Assert.Equal([1f, 3f, 2f, 4f], floats);
        Assert.Equal([1f, 3f, 2f, 4f], t.ToArray<float>());
    }

    [Fact]
    public void FromCopiesTheArray()
    {
        float[] data = [1f, 2f];
        using var t = Tensor.From(data);
        data[0] = 100f;
        Assert.Equal([1f, 2f], t.ToArray<float>());
    }

    [Fact]
    public void CopyToFillsASpan()
    {
        using var t = Tensor.From([4L, 5L, 6L]);
        Span<long> buffer = stackalloc long[3];
        t.CopyTo(buffer);
        Assert.Equal([4L, 5L, 6L], buffer.ToArray());
    }

    [Fact]
    public void ToConvertsFloatToIntegerByTruncation()
    {
        using var f = Tensor.From([1.9f, -1.9f, 2.5f]);
        using var l = f.To(DType.Int64);
        Assert.Equal([1L, -1L, 2L], l.ToArray<long>());
        using var d = f.To(Device.Cpu, DType.Float64);
        Assert.Equal(DType.Float64, d.DType);
        Check.Close([1.9, -1.9, 2.5], d.ToArray<double>(), atol: 1e-6);
        using var c = f.Cpu();
        Assert.Equal(Device.Cpu, c.Device);
    }

    [Fact]
    public void ToStringShowsShapeDtypeAndValues()
    {
        using var t = Tensor.From([1f, 2.5f], 1, 2);
        Assert.Equal("Tensor[1, 2], Float32, cpu: [1, 2.5]", t.ToString());
    }

    [Fact]
    public void ToStringOfAMetaTensorLeavesOutTheValuesItHasNot()
    {
        using var t = Tensor.Zeros([2, 3], device: Device.Meta);
        Assert.Equal("Tensor[2, 3], Float32, meta", t.ToString());
    }

    [Fact]
    public void ToStringStillDescribesATensorWhoseValuesCannotBeRead()
    {
        using var x = Tensor.From([0.5f, 1f]);
        using var q = Ops.Call("aten::quantize_per_tensor", "", x, 0.5, 0, 13); // quint8: no conversion to float64
        Assert.StartsWith("Tensor[2], ", q.ToString());
        Assert.EndsWith(", cpu", q.ToString());
    }
}
