using Exemplar.Torch.Nn;

namespace Exemplar.Torch.Tests.Nn;

public class ModuleTests
{
    private sealed class TinyNet : Module<Tensor, Tensor>
    {
        public TinyNet()
        {
            Conv = RegisterModule("conv", new Conv2d(3, 4, 3, padding: 1, bias: false));
            Bn = RegisterModule("bn", new BatchNorm2d(4));
            Head = RegisterModule("head", new Sequential(new Linear(4, 5), new Activation(ActivationKind.Relu), new Linear(5, 2)));
            Scale = RegisterParameter("scale", Tensor.Ones([2]));
        }

        public Conv2d Conv { get; }
        public BatchNorm2d Bn { get; }
        public Sequential Head { get; }
        public Tensor Scale { get; }

        public override Tensor Forward(Tensor x)
        {
            using var scope = DisposeScope.Begin();
            var h = Functional.Relu(Bn.Forward(Conv.Forward(x))).Mean([2, 3]);
            return (Head.Forward(h) * Scale).MoveToOuterScope();
        }
    }

    [Fact]
    public void NamesFollowPyTorch()
    {
        using var net = new TinyNet();
        Assert.Equal(
            ["scale", "conv.weight", "bn.weight", "bn.bias", "head.0.weight", "head.0.bias", "head.2.weight", "head.2.bias"],
            net.NamedParameters().Select(p => p.Name));
        Assert.Equal(["bn.running_mean", "bn.running_var", "bn.num_batches_tracked"], net.NamedBuffers().Select(b => b.Name));
        Assert.Equal(2 + 4 * 3 * 9 + 4 + 4 + 4 * 5 + 5 + 5 * 2 + 2, net.ParameterCount());
        Assert.Equal(11, net.StateDict().Count);
    }

    [Fact]
    public void StrictLoadListsEveryProblemAndChangesNothing()
    {
        using var net = new TinyNet();
        using var scope = DisposeScope.Begin();
        var state = net.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        state.Remove("head.0.bias");
        state["extra.weight"] = Tensor.Zeros([1]);
        state["conv.weight"] = Tensor.Zeros([4, 3, 5, 5]);
        state["scale"] = Tensor.Full([2], 7);
        var before = net.Scale.ToArray<float>();

        var ex = Assert.Throws<StateDictException>(() => net.LoadStateDict(state));
        Assert.Equal(["head.0.bias"], ex.Result.Missing);
        Assert.Equal(["extra.weight"], ex.Result.Unexpected);
        Assert.Single(ex.Result.ShapeMismatches);
        Assert.Contains("conv.weight: module [4, 3, 3, 3] vs dict [4, 3, 5, 5]", ex.Message);
        Assert.Contains("missing: head.0.bias", ex.Message);
        Assert.Contains("unexpected: extra.weight", ex.Message);
        Assert.Equal(before, net.Scale.ToArray<float>());

        var result = net.LoadStateDict(state, strict: false);
        Assert.False(result.IsExact);
        Assert.Equal([7f, 7f], net.Scale.ToArray<float>());
    }

    [Fact]
    public void LoadingCopiesValuesIntoTheSameTensors()
    {
        using var a = new TinyNet();
        using var b = new TinyNet();
        var weightBefore = b.Conv.Weight;
        b.LoadStateDict(a.StateDict());
        Assert.Same(weightBefore, b.Conv.Weight);
        Assert.True(a.Conv.Weight.Equal(b.Conv.Weight));
        Assert.True(b.Conv.Weight.RequiresGrad);
    }

    [Fact]
    public void ToDTypeConvertsInPlaceAndKeepsIntegerBuffers()
    {
        using var net = new TinyNet();
        var weight = net.Conv.Weight;
        net.To(DType.BFloat16);
        Assert.Same(weight, net.Conv.Weight);
        Assert.Equal(DType.BFloat16, net.Conv.Weight.DType);
        Assert.True(net.Conv.Weight.RequiresGrad);
        Assert.Equal(DType.BFloat16, net.Bn.RunningMean.DType);
        Assert.Equal(DType.Int64, net.Bn.NumBatchesTracked.DType);
        net.To(DType.Float32);
        using var x = Tensor.Randn([2, 3, 8, 8], new Generator(1));
        using var y = net.Forward(x);
        Assert.Equal([2L, 2], y.Shape);
    }

    [Fact]
    public void FreezeTrainEvalAndBatchNormStatistics()
    {
        using var net = new TinyNet();
        net.Freeze();
        Assert.All(net.Parameters(), p => Assert.False(p.RequiresGrad));
        Assert.Equal(0, net.ParameterCount(trainableOnly: true));
        net.Unfreeze();
        Assert.Equal(net.ParameterCount(), net.ParameterCount(trainableOnly: true));

        using var x = Tensor.Randn([4, 3, 6, 6], new Generator(2)) * 3 + 1;
        using (var _ = net.Forward(x)) { }
        Assert.Equal(1L, net.Bn.NumBatchesTracked.Item<long>());
        Assert.NotEqual([0f, 0f, 0f, 0f], net.Bn.RunningMean.ToArray<float>());

        net.Eval();
        Assert.All(net.NamedModules(), m => Assert.False(m.Module.Training));
        var mean = net.Bn.RunningMean.ToArray<float>();
        using (var _ = net.Forward(x)) { }
        Assert.Equal(mean, net.Bn.RunningMean.ToArray<float>());
        Assert.Equal(1L, net.Bn.NumBatchesTracked.Item<long>());
    }

    [Fact]
    public void ParametersSurviveTheScopeTheyWereCreatedIn()
    {
        TinyNet net;
        using (DisposeScope.Begin()) net = new TinyNet();
        using (net)
        {
            Assert.False(net.Conv.Weight.IsDisposed);
        }
        Assert.True(net.Conv.Weight.IsDisposed);
    }

    [Fact]
    public void GradientsFlowToEveryParameter()
    {
        using var net = new TinyNet();
        using var scope = DisposeScope.Begin();
        var x = Tensor.Randn([2, 3, 5, 5], new Generator(3));
        net.Forward(x).Square().Sum().Backward();
        foreach (var (name, p) in net.NamedParameters())
        {
            using var g = p.Grad;
            Assert.True(g is not null, $"{name} has no gradient");
            Assert.Equal(p.Shape, g!.Shape);
        }
    }
}
