using System.Text.Json;
using Exemplar.Benchmarks;

namespace Exemplar.Cli.Tests;

/// <summary>exemplar bench web (a short load run against the in-process server) and exemplar serve's option checks.</summary>
public sealed class WebCommandTests : CliTest
{
    [Fact]
    public void BenchWebWritesThroughputLatencyAndNoErrors()
    {
        string json = PathOf("web.json");
        var (code, output, error) = Cli.Run("bench", "web", "--clients", "2", "--seconds", "3", "--threads", "1", "--json", json);
        Assert.True(code == 0, error + output);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var run = doc.RootElement;
        Assert.Equal(2, run.GetProperty("clients").GetInt32());
        Assert.True(run.GetProperty("succeeded").GetInt32() > 0, File.ReadAllText(json));
        Assert.Equal(0, run.GetProperty("errors").GetInt32());
        Assert.True(run.GetProperty("p99_ms").GetDouble() >= run.GetProperty("p50_ms").GetDouble());
        Assert.True(run.GetProperty("peak_rss_mb").GetDouble() > 0);
        Assert.StartsWith("http://127.0.0.1:", run.GetProperty("url").GetString());
    }

    [Fact]
    public void BenchWebIsBoundedAndLoopbackOnly()
    {
        var (code, _, error) = Cli.Run("bench", "web", "--clients", "1000", "--seconds", "1");
        Assert.Equal(1, code);
        Assert.Contains("--clients 1000", error);
        var refused = Assert.Throws<ArgumentException>(() => WebLoadBenchmark.RunAsync(new Uri("http://192.0.2.1/"), "id", [1], 1, 1).GetAwaiter().GetResult());
        Assert.Contains("loopback", refused.Message);
    }

    [Fact]
    public void ServeRefusesAPortOutOfRange()
    {
        var (code, _, error) = Cli.Run("serve", "--port", "70000");
        Assert.Equal(1, code);
        Assert.Contains("port 70000", error);
    }
}
