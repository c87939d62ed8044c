using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Exemplar.Torch;
using Exemplar.Torch.Serialization;

namespace Exemplar.Training.Tests.Trainer;

/// <summary>Two processes on 127.0.0.1, each training on half of every batch, end with the weights one process gets on the whole batches.</summary>
public sealed class DataParallelTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("exemplar-ddp-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TwoProcessesReachTheWeightsOfOneProcessOnTheSummedBatch()
    {
        var single = DataParallelRun.Train(group: null);

        int port = FreePort();
        string assembly = typeof(DataParallelRun).Assembly.Location;
        var outputs = new[] { Path.Combine(_folder, "rank0.safetensors"), Path.Combine(_folder, "rank1.safetensors") };
        var workers = outputs.Select((output, rank) =>
        {
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string a in new[] { assembly, "ddp-worker", rank.ToString(), "2", port.ToString(), output }) start.ArgumentList.Add(a);
            return Process.Start(start)!;
        }).ToArray();
        foreach (var w in workers)
        {
            Assert.True(w.WaitForExit(TimeSpan.FromSeconds(120)), "a worker did not finish in 2 minutes");
            Assert.True(w.ExitCode == 0, $"worker failed ({w.ExitCode}): {w.StandardError.ReadToEnd()}");
        }

        foreach (string output in outputs)
        {
            var ranked = SafeTensors.Load(output);
            try
            {
                Assert.Equal(single.Keys.Order(), ranked.Keys.Order());
                foreach (var (name, expected) in single)
                {
                    var actual = ranked[name].ToArray<float>();
                    double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
                    Assert.True(worst <= 1e-6, $"{Path.GetFileName(output)} {name}: max |Δ| {worst:E2} > 1e-6");
                }
            }
            finally
            {
                foreach (var t in ranked.Values) t.Dispose();
            }
        }
        using var initial = ToyNetwork.Create(11, batchNorm: false, dropout: 0);
        Assert.NotEqual(ToyNetwork.Snapshot(initial)["classifier.weight"], single["classifier.weight"]); // it trained
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
