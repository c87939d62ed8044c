using System.Diagnostics;
using System.Text.Json.Serialization;
using Exemplar.Runtime;

namespace Exemplar.Benchmarks;

/// <summary>Throughput and latency of Exemplar.Runtime segmenting frames with a cached prompt.</summary>
/// <param name="Bundle">The bundle's name.</param>
/// <param name="Threads">ONNX Runtime intra-op threads.</param>
/// <param name="Targets">Frames segmented (after warm-up).</param>
/// <param name="Width">Frame width.</param>
/// <param name="Height">Frame height.</param>
/// <param name="EncodeMs">Encoding the example (once).</param>
/// <param name="TargetsPerSecond">Frames per second over the whole loop (decode → segment → mask PNG written).</param>
/// <param name="P50Ms">Median latency per frame.</param>
/// <param name="P99Ms">99th-percentile latency per frame.</param>
/// <param name="PeakRssMegabytes">The process's peak resident memory.</param>
public sealed record RuntimeSegmentResult(
    [property: JsonPropertyName("bundle")] string Bundle,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("targets")] int Targets,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("encode_ms")] double EncodeMs,
    [property: JsonPropertyName("targets_per_s")] double TargetsPerSecond,
    [property: JsonPropertyName("p50_ms")] double P50Ms,
    [property: JsonPropertyName("p99_ms")] double P99Ms,
    [property: JsonPropertyName("peak_rss_mb")] double PeakRssMegabytes);

/// <summary>
/// <c>exemplar bench segment</c> on the runtime: one example (the first frame and its mask) encoded once, then every
/// frame of the folders decoded from its file, segmented and its mask PNG written, one after another.
/// </summary>
public static class RuntimeSegmentBenchmark
{
    /// <summary>Runs the loop over <paramref name="frames"/> (the first is the example, with <paramref name="exampleMask"/>).</summary>
    public static RuntimeSegmentResult Run(string? bundle, IReadOnlyList<string> frames, string exampleMask, int threads, int warmup = 3)
    {
        using var model = ExemplarModel.Load(bundle, new RuntimeOptions { Threads = threads });
        var clock = Stopwatch.StartNew();
        using var prompt = model.Encode([new Example(frames[0], exampleMask)]);
        double encodeMs = clock.Elapsed.TotalMilliseconds;
        string output = Directory.CreateTempSubdirectory("exemplar-bench-").FullName;
        try
        {
            var latencies = new List<double>();
            int width = 0, height = 0;
            var targets = frames.Skip(1).ToList();
            foreach (var frame in targets.Take(warmup)) model.Segment(prompt, frame).SaveMask(Path.Combine(output, "warmup.png"), overwrite: true);
            var total = Stopwatch.StartNew();
            for (int i = 0; i < targets.Count; i++)
            {
                long start = Stopwatch.GetTimestamp();
                var result = model.Segment(prompt, targets[i]);
                result.SaveMask(Path.Combine(output, $"{i:D5}.png"));
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                (width, height) = (result.Width, result.Height);
            }
            double seconds = total.Elapsed.TotalSeconds;
            latencies.Sort();
            double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
            using var process = Process.GetCurrentProcess();
            return new RuntimeSegmentResult(model.Info.Name, threads, targets.Count, width, height, encodeMs, targets.Count / seconds,
                Percentile(0.5), Percentile(0.99), process.PeakWorkingSet64 / 1048576.0);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
