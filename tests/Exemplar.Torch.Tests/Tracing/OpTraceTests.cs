using Exemplar.Torch.Tracing;

namespace Exemplar.Torch.Tests.Tracing;

/// <summary>What the tracer records, folds and refuses.</summary>
public sealed class OpTraceTests
{
    [Fact]
    public void CallsOnTracedValuesAreRecordedAndConstantOnlyCallsFolded()
    {
        using var scope = DisposeScope.Begin();
        var x = Tensor.Randn([2, 3]);
        var weight = Tensor.Ones([3]);
        using var trace = OpTrace.Start(x);
        var scaled = weight * 2.0;                                   // constants only: folded
        var y = Functional.Relu(x + scaled);
        trace.Stop();
        Assert.Equal(["aten::add.Tensor", "aten::relu"], trace.Calls.Select(c => c.Op.ToString()));
        var add = trace.Calls[0];
        Assert.Equal(0, add.Args[0].Value);                          // the input
        int constant = add.Args[1].Value;
        Assert.True(trace.Constants.ContainsKey(constant));
        Assert.Equal([2f, 2f, 2f], trace.Constants[constant].ToArray<float>());
        Assert.Equal(trace.Calls[1].Output, trace.ValueOf(y));
        Assert.Equal([2L, 3], trace.Info(trace.ValueOf(y)).Shape);
        // Calls after Stop are not recorded.
        _ = y * 3.0;
        Assert.Equal(2, trace.Calls.Count);
    }

    [Fact]
    public void InPlaceCallsRebindTheirTensorAndConstantsKeepTheValueFirstRead()
    {
        using var scope = DisposeScope.Begin();
        var x = Tensor.Randn([4]);
        var bias = Tensor.Zeros([4]);
        using var trace = OpTrace.Start(x);
        var first = x + bias;                                        // bias read as zeros
        bias.Add_(x);                                                // bias now depends on x: a traced in-place call
        var second = first + bias;
        trace.Stop();
        Assert.Equal(["aten::add.Tensor", "aten::add_.Tensor", "aten::add.Tensor"], trace.Calls.Select(c => c.Op.ToString()));
        int zerosId = trace.Calls[0].Args[1].Value;
        Assert.Equal(new float[4], trace.Constants[zerosId].ToArray<float>());
        Assert.Equal(trace.Calls[1].Output, trace.Calls[2].Args[1].Value);
        Assert.Equal(trace.Calls[2].Output, trace.ValueOf(second));
    }

    [Fact]
    public void DataDependentReadsAndWritesIntoViewsAreRefused()
    {
        using var scope = DisposeScope.Begin();
        var x = Tensor.Randn([3, 3]);
        using (var trace = OpTrace.Start(x))
        {
            var sum = x.Sum();
            Assert.Contains("data-dependent", Assert.Throws<TraceException>(() => sum.Item<float>()).Message);
        }
        using (var trace = OpTrace.Start(x))
        {
            var row = x.Select(0, 1);
            Assert.Contains("writes into a view", Assert.Throws<TraceException>(() => row.Add_(Tensor.Ones([3]))).Message);
        }
        // Outside a trace the same reads work.
        using var total = x.Sum();
        _ = total.Item<float>();
    }

    [Fact]
    public void AliasesOfTracedValuesAreTheSameValue()
    {
        using var scope = DisposeScope.Begin();
        var x = Tensor.Randn([2]);
        using var trace = OpTrace.Start(x);
        using var alias = x.Alias();
        var y = -alias;
        trace.Stop();
        Assert.Equal(0, trace.Calls.Single().Args[0].Value);
        Assert.Equal(trace.Calls[0].Output, trace.ValueOf(y));
    }

    [Fact]
    public void AnUntracedTensorWrittenInPlaceWithTracedValuesIsCapturedBeforeTheWrite()
    {
        using var scope = DisposeScope.Begin();
        var x = Tensor.Randn([3]);
        using var trace = OpTrace.Start(x);
        var accumulator = Tensor.Zeros([3]);
        accumulator.Add_(x);
        trace.Stop();
        var call = trace.Calls.Single();
        Assert.Equal(new float[3], trace.Constants[call.Args[0].Value].ToArray<float>());   // zeros, not 0 + x
        Assert.Equal(call.Output, trace.ValueOf(accumulator));
    }

    [Fact]
    public void WritesIntoTracedTensorsWithViewsOrAliasesAreRefused()
    {
        using var scope = DisposeScope.Begin();
        var x = Tensor.Randn([3, 3]);
        using (var trace = OpTrace.Start(x))
        {
            var y = x * 2.0;
            _ = y.Slice(1, 0, 2);
            Assert.Contains("has views or aliases", Assert.Throws<TraceException>(() => y.Add_(Tensor.Ones([3]))).Message);
        }
        using (var trace = OpTrace.Start(x))
        {
            var y = x * 2.0;
            using var alias = y.Alias();
            Assert.Contains("has views or aliases", Assert.Throws<TraceException>(() => y.Add_(Tensor.Ones([3]))).Message);
        }
    }

    [Fact]
    public void AFailedStartLeavesNoTraceBehindAndStoppedTracesStopRecording()
    {
        using var scope = DisposeScope.Begin();
        var x = Tensor.Randn([2]);
        Assert.Throws<ArgumentException>(() => OpTrace.Start(x, x));
        using (var sum = x.Sum()) _ = sum.Item<float>();                                     // no trace is current
        var outer = OpTrace.Start(x);
        var inner = OpTrace.Start(x);
        outer.Stop();
        _ = x * 2.0;
        inner.Stop();
        _ = x * 3.0;
        Assert.Single(inner.Calls);
        Assert.Empty(outer.Calls);
        inner.Dispose();
        outer.Dispose();
        using var y = x * 4.0;
        _ = y.ToString();                                                                  // no trace: values shown
    }
}
