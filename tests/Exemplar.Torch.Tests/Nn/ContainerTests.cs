using Exemplar.Torch.Nn;

namespace Exemplar.Torch.Tests.Nn;

public sealed class ContainerTests
{
    /// <summary>Adds one, recording how many native tensors are alive when it runs.</summary>
    private sealed class CountingStep(List<long> live) : Module<Tensor, Tensor>
    {
        public override Tensor Forward(Tensor input)
        {
            live.Add(Tensor.LiveCount);
            return input + 1.0;
        }
    }

    /// <summary>Hands its input back as it is (the same object).</summary>
    private sealed class PassThrough : Module<Tensor, Tensor>
    {
        public override Tensor Forward(Tensor input) => input;
    }

    /// <summary>Ignores its input and returns its own parameter.</summary>
    private sealed class ReturnsItsParameter : Module<Tensor, Tensor>
    {
        public ReturnsItsParameter() => Value = RegisterParameter("value", Tensor.Ones([3]), requiresGrad: false);

        public Tensor Value { get; }

        public override Tensor Forward(Tensor input) => Value;
    }

    [Fact]
    public void SequentialFreesEachIntermediateOnceTheNextLayerHasRun()
    {
        var live = new List<long>();
        using var net = new Sequential(new CountingStep(live), new CountingStep(live), new CountingStep(live), new CountingStep(live));
        using var x = Tensor.Zeros([3]);
        long start = Check.SettledLiveCount();
        using var y = net.Forward(x);
        // Layer k sees the input plus one activation at most: the one before it was freed.
        Assert.Equal([start, start + 1, start + 1, start + 1], live);
        Assert.Equal(start + 1, Tensor.LiveCount);
        Assert.False(x.IsDisposed);
        Assert.Equal([4f, 4, 4], y.ToArray<float>());
    }

    [Fact]
    public void SequentialNeverFreesItsInputNorATensorALayerOwns()
    {
        var live = new List<long>();
        var constant = new ReturnsItsParameter();
        using var net = new Sequential(new PassThrough(), new CountingStep(live), new PassThrough(), constant, new CountingStep(live));
        using var x = Tensor.Zeros([3]);
        using (var y = net.Forward(x)) Assert.Equal([2f, 2, 2], y.ToArray<float>());
        Assert.False(x.IsDisposed);
        Assert.False(constant.Value.IsDisposed);

        using var passOnly = new Sequential(new PassThrough());
        using (var y = passOnly.Forward(x)) Assert.NotSame(x, y); // a new handle, which the caller may dispose
        Assert.False(x.IsDisposed);
    }

    [Fact]
    public void IdentityReturnsANewHandleToTheSameData()
    {
        using var id = new Identity();
        Assert.Empty(id.NamedParameters());
        using var x = Tensor.From([1f, 2f]);
        var y = id.Forward(x);
        Assert.NotSame(x, y);
        Assert.Equal([1f, 2f], y.ToArray<float>());
        using (var _ = y.Fill_(7)) { }
        Assert.Equal([7f, 7f], x.ToArray<float>()); // one storage
        y.Dispose();
        Assert.False(x.IsDisposed);
        Assert.Equal([7f, 7f], x.ToArray<float>());
    }
}
