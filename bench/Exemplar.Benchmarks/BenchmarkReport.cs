using System.Text.Json;
using System.Text.Json.Serialization;

namespace Exemplar.Benchmarks;

/// <summary>One benchmark case measured in Exemplar and in PyTorch.</summary>
/// <param name="Name">Case name.</param>
/// <param name="ExemplarMs">Median milliseconds per call in Exemplar.</param>
/// <param name="PytorchMs">Median milliseconds per call in PyTorch (null when PyTorch was not run).</param>
/// <param name="Images">Images per call, when the case processes images (then images per second are reported).</param>
/// <param name="ExemplarRoundsMs">Exemplar's median of each round, when several rounds alternated with PyTorch.</param>
/// <param name="PytorchRoundsMs">PyTorch's median of each round.</param>
public sealed record BenchmarkCase(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("exemplar_ms")] double ExemplarMs,
    [property: JsonPropertyName("pytorch_ms")] double? PytorchMs,
    [property: JsonIgnore] int? Images = null,
    [property: JsonPropertyName("exemplar_rounds_ms"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<double>? ExemplarRoundsMs = null,
    [property: JsonPropertyName("pytorch_rounds_ms"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<double>? PytorchRoundsMs = null)
{
    /// <summary>Exemplar's throughput, for image cases.</summary>
    [JsonPropertyName("exemplar_images_per_s")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? ExemplarImagesPerSecond => Images * 1000.0 / ExemplarMs;

    /// <summary>PyTorch's throughput, for image cases.</summary>
    [JsonPropertyName("pytorch_images_per_s")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? PytorchImagesPerSecond => PytorchMs is > 0 ? Images * 1000.0 / PytorchMs : null;

    /// <summary>Exemplar time / PyTorch time: below 1 means Exemplar is faster.</summary>
    [JsonPropertyName("ratio")]
    public double? Ratio => PytorchMs is > 0 ? ExemplarMs / PytorchMs : null;
}

/// <summary>A benchmark run: where it ran, and its cases.</summary>
/// <param name="Benchmark">Which benchmark (e.g. "torch").</param>
/// <param name="Device">Device the cases ran on.</param>
/// <param name="Threads">Intra-op threads, the same on both sides.</param>
/// <param name="LibtorchVersion">Exemplar's libtorch.</param>
/// <param name="PytorchVersion">The reference PyTorch, or null.</param>
/// <param name="Cases">The measurements.</param>
public sealed record BenchmarkReport(
    [property: JsonPropertyName("benchmark")] string Benchmark,
    [property: JsonPropertyName("device")] string Device,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("libtorch")] string LibtorchVersion,
    [property: JsonPropertyName("pytorch")] string? PytorchVersion,
    [property: JsonPropertyName("cases")] IReadOnlyList<BenchmarkCase> Cases)
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>Parameters of the benchmarked network, when there is one network (the same count on both sides).</summary>
    [JsonPropertyName("parameters")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Parameters { get; init; }

    /// <summary>Untimed calls per case, when the benchmark takes it as an option.</summary>
    [JsonPropertyName("warmup")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? WarmupSteps { get; init; }

    /// <summary>Timed calls per case (the median is reported), when the benchmark takes it as an option.</summary>
    [JsonPropertyName("steps")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? TimedSteps { get; init; }

    /// <summary>The report as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);
}
