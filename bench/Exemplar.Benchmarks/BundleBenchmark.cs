using System.Text.Json;
using System.Text.Json.Nodes;
using Exemplar.Runtime;

namespace Exemplar.Benchmarks;

/// <summary>One bundle's time to segment one image in Exemplar.Runtime.</summary>
/// <param name="Bundle">The bundle's file name.</param>
/// <param name="Precision">Its precision (float32, int8).</param>
/// <param name="MedianMilliseconds">Median wall time of <c>Segment</c> (decode, prepare, network, restore).</param>
public sealed record BundleTiming(string Bundle, string Precision, double MedianMilliseconds);

/// <summary>
/// Times supervised bundles side by side in one run (e.g. a model's float and int8 exports): the whole
/// <c>ExemplarModel.Segment(image)</c> call, after warm-up, median of the timed runs.
/// </summary>
public static class BundleBenchmark
{
    /// <summary>Times each bundle on <paramref name="image"/> with <paramref name="threads"/> intra-op threads.</summary>
    /// <exception cref="ArgumentException">A bundle segments by example (it needs a prompt, not timed here).</exception>
    public static IReadOnlyList<BundleTiming> Run(IReadOnlyList<string> bundles, string image, int threads, int warmup, int runs)
    {
        var timings = new List<BundleTiming>();
        foreach (string path in bundles)
        {
            using var model = ExemplarModel.Load(path, new RuntimeOptions { Threads = threads });
            if (!model.Info.IsSupervised) throw new ArgumentException($"{path} segments by example; bench bundles times supervised bundles");
            var input = ImageInput.FromFile(image);
            double ms = BenchmarkTimer.MedianMilliseconds(() => model.Segment(input), () => { }, warmup, runs, 1);
            timings.Add(new BundleTiming(Path.GetFileName(path), model.Info.Precision, ms));
        }
        return timings;
    }

    /// <summary>The timings as <c>{"threads", "image", "cases":[{"name","precision","median_ms","speedup"}]}</c>, speed-up relative to the first bundle.</summary>
    public static string ToJson(IReadOnlyList<BundleTiming> timings, int threads, string image) => new JsonObject
    {
        ["benchmark"] = "bundles",
        ["threads"] = threads,
        ["image"] = Path.GetFileName(image),
        ["cases"] = new JsonArray([.. timings.Select(t => (JsonNode)new JsonObject
        {
            ["name"] = t.Bundle,
            ["precision"] = t.Precision,
            ["median_ms"] = Math.Round(t.MedianMilliseconds, 3),
            ["speedup"] = Math.Round(timings[0].MedianMilliseconds / t.MedianMilliseconds, 3),
        })]),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
