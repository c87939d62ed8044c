using System.Diagnostics;
using Exemplar.Torch.Distributed;

namespace Exemplar.Torch.Tests.Distributed;

/// <summary>All-reduce, broadcast and barrier between two ranks on the loopback.</summary>
public class CollectiveTests
{
    [Fact]
    public void AllReduceSumsSeveralTensorsOfFloat32AndFloat64InPlace()
    {
        var results = Ranks.Run(2, group =>
        {
            using var scope = DisposeScope.Begin();
            int r = group.Rank;
            var a = Tensor.From(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3) * (float)(r + 1);
            var b = Tensor.From(new double[] { 0.1, 0.2, 0.3 }, 3) + (double)r;
            // A strided view: Gloo needs dense memory, the shim goes through a copy and writes the sum back into the view.
            var c0 = Tensor.From(new float[] { 1, 2, 3, 4 }, 2, 2) * (float)(10 * r + 1);
            var c = c0.Transpose(0, 1);
            group.AllReduceSum(a, b, c);
            return (a.ToArray<float>(), b.ToArray<double>(), c0.ToArray<float>());
        });
        foreach (var (a, b, c) in results)
        {
            Assert.Equal(new float[] { 3, 6, 9, 12, 15, 18 }, a);
            Assert.Equal(new[] { 0.1 + 1.1, 0.2 + 1.2, 0.3 + 1.3 }, b);
            Assert.Equal(new float[] { 12, 24, 36, 48 }, c);
        }
    }

    [Fact]
    public void BroadcastOverwritesEveryRankWithTheRoots()
    {
        var results = Ranks.Run(2, group =>
        {
            using var t = Tensor.Full([2, 2], 10.0 * group.Rank + 1, DType.Float64);
            group.Broadcast(t, root: 1);
            return t.ToArray<double>();
        });
        Assert.All(results, values => Assert.Equal(new double[] { 11, 11, 11, 11 }, values));
    }

    [Fact]
    public void BarrierWaitsForTheLastRank()
    {
        int late = 0;
        var waited = Ranks.Run(2, group =>
        {
            if (group.Rank == 1)
            {
                Thread.Sleep(300);
                Volatile.Write(ref late, 1);
            }
            var clock = Stopwatch.StartNew();
            group.Barrier();
            return (clock.Elapsed, Volatile.Read(ref late));
        });
        Assert.True(waited[0].Elapsed >= TimeSpan.FromMilliseconds(250), $"rank 0 left the barrier after {waited[0].Elapsed.TotalMilliseconds} ms");
        Assert.Equal(1, waited[0].Item2);
    }

    [Fact]
    public void CollectivesCheckTheirArguments()
    {
        Ranks.Run(1, group =>
        {
            using var t = Tensor.Ones([2]);
            Assert.Throws<ArgumentOutOfRangeException>(() => group.Broadcast(t, root: 1));
            Assert.Throws<ArgumentNullException>(() => group.AllReduceSum(t, null!));
            using var meta = Tensor.Ones([2], device: Device.Meta);
            Assert.Throws<TorchException>(() => group.AllReduceSum(meta));
            group.AllReduceSum(t); // a world of one: the sum is the tensor itself
            Assert.Equal(new float[] { 1, 1 }, t.ToArray<float>());
            return 0;
        });
        Assert.Throws<ArgumentOutOfRangeException>(() => ProcessGroup.Gloo(new DistributedOptions(2, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProcessGroup.Gloo(new DistributedOptions(0, 1) { Timeout = TimeSpan.Zero }));
    }

    [Fact]
    public void AGroupCannotBeUsedAfterDispose()
    {
        Ranks.Run(1, group =>
        {
            group.Dispose();
            Assert.True(group.IsDisposed);
            Assert.Throws<ObjectDisposedException>(() => group.Barrier());
            return 0;
        });
    }
}
