using System.Diagnostics;
using System.Text.Json.Serialization;
using Exemplar.InContext;
using Exemplar.Models;
using Exemplar.Models.Zoo;
using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Benchmarks;

/// <summary>Speed and memory of in-context segmentation with one encoder.</summary>
/// <param name="Model">Zoo name.</param>
/// <param name="Weights">The weight file, or "random" (speed does not depend on the values).</param>
/// <param name="InputSize">Encoder input side.</param>
/// <param name="PromptEncodingMs">Median milliseconds to encode one example (854x480, one class).</param>
/// <param name="SegmentMs">Median milliseconds to segment one 854x480 target with cached prompts.</param>
/// <param name="PeakRssMegabytes">The process's peak resident memory after this encoder's runs (cumulative over the run).</param>
public sealed record SegmentationSpeed(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("weights")] string Weights,
    [property: JsonPropertyName("input_size")] int InputSize,
    [property: JsonPropertyName("prompt_encoding_ms")] double PromptEncodingMs,
    [property: JsonPropertyName("segment_ms")] double SegmentMs,
    [property: JsonPropertyName("peak_rss_mb")] double PeakRssMegabytes);

/// <summary>
/// Times the in-context pipeline on an 854x480 target (a DAVIS frame's size): prompt encoding, and segmentation with
/// cached prompts (decode not included), per encoder, with the segmenter's default options for that encoder.
/// </summary>
public static class SegmentationBenchmarks
{
    /// <summary>Runs each (model, weights or null for random) pair.</summary>
    public static IReadOnlyList<SegmentationSpeed> Run(IReadOnlyList<(string Model, string? Weights)> models, int threads, int repeats, Action<string>? progress = null)
    {
        LibTorch.Threads = threads;
        var results = new List<SegmentationSpeed>();
        using var gen = new Generator(0);
        using var scope = DisposeScope.Begin();
        var image = Tensor.Randint(0, 256, [3, 480, 854], gen).To(DType.UInt8);
        var target = Tensor.Randint(0, 256, [3, 480, 854], gen).To(DType.UInt8);
        var mask = Tensor.Zeros([1, 480, 854], DType.UInt8);
        mask[.., 100..300, 200..500] = Tensor.Ones([1], DType.UInt8);
        foreach (var (name, weights) in models)
        {
            progress?.Invoke($"{name} ({weights ?? "random weights"})");
            var entry = ModelZoo.Get(name);
            using var encoder = weights is null ? entry.Create() : entry.Load(weights);
            ((Module)encoder).Eval().Freeze();
            var options = SegmenterOptions.For(encoder);
            var segmenter = new Segmenter(encoder, entry.Name, options);
            using var prompts = new PromptSet(["object"]);
            prompts.Add(image.Alias(), mask.Alias(), "synthetic 854x480");
            double encodeMs = BenchmarkTimer.MedianMilliseconds(() => { using var f = segmenter.PromptEncoder.Encode(prompts); }, () => { }, 1, repeats, 1);
            using var features = segmenter.PromptEncoder.Encode(prompts);
            double segmentMs = BenchmarkTimer.MedianMilliseconds(() => { using var r = segmenter.Segment(features, target); }, () => { }, 1, repeats, 1);
            results.Add(new SegmentationSpeed(entry.Name, weights is null ? "random" : Path.GetFileName(weights), options.InputSize, encodeMs, segmentMs, PeakRssMegabytes()));
        }
        return results;
    }

    /// <summary>VmHWM from /proc/self/status: the peak resident set of this process, in megabytes.</summary>
    public static double PeakRssMegabytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
            }
        }
        return Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
