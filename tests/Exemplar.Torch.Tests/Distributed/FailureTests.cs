using System.Diagnostics;
using Exemplar.Torch.Distributed;
using Exemplar.Torch.Native;

namespace Exemplar.Torch.Tests.Distributed;

/// <summary>Ranks that never come or go away mid-job: a managed exception within the timeout, never a crash or a hang.</summary>
public class FailureTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2.5);

    [Fact]
    public void TheMasterFailsWhenAPeerNeverJoins()
    {
        var options = Ranks.Options(0, 2, Ranks.FreePort(), Timeout.TotalSeconds);
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<TorchException>(() => ProcessGroup.Gloo(options));
        Assert.True(clock.Elapsed < Timeout + Slack, $"failed after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Contains("1 of 2 joined", e.Message);
    }

    [Fact]
    public void APeerFailsWhenTheMasterNeverComes()
    {
        var options = Ranks.Options(1, 2, Ranks.FreePort(), Timeout.TotalSeconds);
        var clock = Stopwatch.StartNew();
        Assert.Throws<TorchException>(() => ProcessGroup.Gloo(options));
        Assert.True(clock.Elapsed < Timeout + Slack, $"failed after {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void TheGroupFailsWhenAPeerJoinsTheStoreButNeverConnects()
    {
        int port = Ranks.FreePort();
        using var failed = new ManualResetEventSlim();
        // A peer that stops between the two steps of joining: it holds its store connection open, but never forms the group.
        var peer = new Thread(() =>
        {
            using var store = new StoreHandle(NativeMethods.ex_tcp_store_new("127.0.0.1", port, 2, 0, 2000));
            failed.Wait(TimeSpan.FromSeconds(10));
        }) { IsBackground = true };
        peer.Start();
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<TorchException>(() => ProcessGroup.Gloo(Ranks.Options(0, 2, port, Timeout.TotalSeconds)));
        var elapsed = clock.Elapsed;
        failed.Set();
        Assert.True(peer.Join(TimeSpan.FromSeconds(5)));
        Assert.True(elapsed < Timeout + Slack, $"failed after {elapsed.TotalSeconds:F1} s");
        Assert.Contains("rank 0 of 2 could not connect", e.Message);
    }

    [Fact]
    public void ACollectiveFailsWhenThePeerHasLeft()
    {
        var failures = Ranks.Run<(TimeSpan Elapsed, Exception Error)?>(2, group =>
        {
            group.Barrier();
            if (group.Rank == 1)
            {
                group.Dispose(); // leaves: rank 0's next collective has no partner
                return null;
            }
            Thread.Sleep(200);
            using var t = Tensor.Ones([4]);
            var clock = Stopwatch.StartNew();
            var e = Record.Exception(() => group.AllReduceSum(t));
            return e is null ? null : (clock.Elapsed, e);
        }, Timeout.TotalSeconds);
        Assert.NotNull(failures[0]);
        var (elapsed, error) = failures[0]!.Value;
        Assert.IsType<TorchException>(error);
        Assert.Contains("all-reduce on rank 0 of 2 failed", error.Message);
        Assert.True(elapsed < Timeout + Slack, $"failed after {elapsed.TotalSeconds:F1} s");
    }
}
