using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Exemplar.Torch.Distributed;

namespace Exemplar.Torch.Tests.Distributed;

/// <summary>Runs a small distributed job inside the test process: one thread per rank, each with its own group.</summary>
internal static class Ranks
{
    /// <summary>A TCP port that was free a moment ago (the OS picks it), so that tests never share a store.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static DistributedOptions Options(int rank, int worldSize, int port, double timeoutSeconds = 5) =>
        new(rank, worldSize) { MasterPort = port, Timeout = TimeSpan.FromSeconds(timeoutSeconds) };

    /// <summary>Runs <paramref name="body"/> on every rank and returns each rank's result; rethrows the first rank's failure.</summary>
    public static T[] Run<T>(int worldSize, Func<ProcessGroup, T> body, double timeoutSeconds = 5)
    {
        int port = FreePort();
        var results = new T[worldSize];
        var errors = new Exception?[worldSize];
        var threads = new Thread[worldSize];
        for (int r = 0; r < worldSize; r++)
        {
            int rank = r;
            threads[r] = new Thread(() =>
            {
                try
                {
                    using var group = ProcessGroup.Gloo(Options(rank, worldSize, port, timeoutSeconds));
                    Assert.Equal(rank, group.Rank);
                    Assert.Equal(worldSize, group.WorldSize);
                    results[rank] = body(group);
                }
                catch (Exception e)
                {
                    errors[rank] = e;
                }
            }) { IsBackground = true, Name = $"rank {rank}" };
            threads[r].Start();
        }
        // Joining and each collective fail after the timeout, so a rank still running well past it is a hang.
        var deadline = Stopwatch.StartNew();
        foreach (var t in threads)
        {
            var left = TimeSpan.FromSeconds(2 * timeoutSeconds + 5) - deadline.Elapsed;
            Assert.True(t.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero), $"{t.Name} still runs after {deadline.Elapsed.TotalSeconds:F1} s");
        }
        for (int r = 0; r < worldSize; r++)
        {
            if (errors[r] is { } e) throw new InvalidOperationException($"rank {r} failed: {e.Message}", e);
        }
        return results;
    }
}
