using System.Diagnostics;
using Exemplar.Torch.Distributed;

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
        Assert.True(elapsed < Timeout + Slack, $"failed after {elapsed.TotalSeconds:F1} s");
    }
}
