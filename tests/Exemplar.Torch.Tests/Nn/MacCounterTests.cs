using Exemplar.Torch.Nn;

namespace Exemplar.Torch.Tests.Nn;

public class MacCounterTests
{
    [Fact]
    public void CountsMatchAHandCountOnASmallNetwork()
    {
        // conv 3→8, 3x3, stride 2, pad 1 on 32x32: output 8x16x16, each output 3·3·3 MACs → 2048·27 = 55,296
        // depthwise conv 8 groups 3x3 pad 1 on 16x16: 8·16·16 outputs, each 1·3·3 → 18,432
        // linear 8 → 10 on a batch of 1: 80
        // attention-style product [1, 4, 6] x [1, 6, 4] → [1, 4, 4] contracted over 6: 96
        using var conv = new Conv2d(3, 8, 3, stride: 2, padding: 1);
        using var dw = new Conv2d(8, 8, 3, padding: 1, groups: 8);
        using var fc = new Linear(8, 10);
        using var scope = DisposeScope.Begin();
        var x = Tensor.Zeros([1, 3, 32, 32]);
        using var counter = MacCounter.Begin();
        var h = dw.Forward(conv.Forward(x));
        fc.Forward(h.Mean([2, 3]));
        Tensor.Zeros([1, 4, 6]).Matmul(Tensor.Zeros([1, 6, 4]));
        Assert.Equal(55_296 + 18_432, counter.ConvolutionMacs);
        Assert.Equal(80, counter.LinearMacs);
        Assert.Equal(96, counter.MatmulMacs);
        Assert.Equal(55_296 + 18_432 + 80 + 96, counter.Macs);
    }

    [Fact]
    public void NothingIsCountedOutsideACounterAndNestedCountersBothSee()
    {
        using var fc = new Linear(4, 4);
        using var x = Tensor.Zeros([2, 4]);
        using var outer = MacCounter.Begin();
        using (var inner = MacCounter.Begin())
        {
            using var _ = fc.Forward(x);
            Assert.Equal(32, inner.Macs);
        }
        Assert.Equal(32, outer.Macs);
        outer.Dispose();
        Assert.Null(MacCounter.Current);
        using var __ = fc.Forward(x);
        Assert.Equal(32, outer.Macs);
    }
}

public class MetaDeviceTests
{
    [Fact]
    public void ModelsBuiltOnTheMetaDeviceCountWithoutAllocating()
    {
        Linear fc;
        using (Tensor.UseDefaultDevice(Device.Meta)) fc = new Linear(100_000, 100_000); // 40 GB if it were real
        using (fc)
        {
            Assert.Equal(Device.Meta, fc.Weight.Device);
            Assert.Equal(100_000L * 100_000 + 100_000, fc.ParameterCount());
            using var x = Tensor.Empty([3, 100_000], device: Device.Meta);
            using var counter = MacCounter.Begin();
            using var y = fc.Forward(x);
            Assert.Equal([3L, 100_000], y.Shape);
            Assert.Equal(3L * 100_000 * 100_000, counter.Macs);
            var ex = Assert.Throws<TorchException>(() => y.ToArray<float>());
            Assert.Contains("meta", ex.Message);
        }
        using var cpu = Tensor.Zeros([1]);
        Assert.Equal(Device.Cpu, cpu.Device);
    }
}
