using System.Text.Json.Serialization;
using Exemplar.Models;
using Exemplar.Models.Onnx.Export;
using Exemplar.Models.Zoo;
using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Microsoft.ML.OnnxRuntime;

namespace Exemplar.Benchmarks;

/// <summary>One encoder forward measured in ONNX Runtime, Exemplar.Torch eager and PyTorch eager.</summary>
/// <param name="Name">Case name: model, input side, batch.</param>
/// <param name="OnnxRuntimeMs">Median ms per forward in ONNX Runtime.</param>
/// <param name="ExemplarTorchMs">Median ms in Exemplar.Torch (null for the int8 graph, which has no eager equivalent).</param>
/// <param name="PytorchMs">Median ms in PyTorch eager (float32; the int8 case is compared with the float network).</param>
public sealed record EngineCase(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("onnxruntime_ms")] double OnnxRuntimeMs,
    [property: JsonPropertyName("exemplar_torch_ms")] double? ExemplarTorchMs,
    [property: JsonPropertyName("pytorch_ms")] double? PytorchMs)
{
    /// <summary>PyTorch time / ONNX Runtime time: above 1 means ONNX Runtime is faster.</summary>
    [JsonPropertyName("speedup_vs_pytorch")]
    public double? SpeedupVsPytorch => PytorchMs / OnnxRuntimeMs;
}

/// <summary>The cases of a run and where they ran.</summary>
/// <param name="Threads">Threads given to every engine.</param>
/// <param name="PytorchVersion">The reference PyTorch, or null.</param>
/// <param name="Cases">The measurements.</param>
public sealed record EngineReport(
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("pytorch")] string? PytorchVersion,
    [property: JsonPropertyName("cases")] IReadOnlyList<EngineCase> Cases);

/// <summary>
/// <c>exemplar bench engines</c>: the zoo encoders at the segmenter's input size (512 for CNNs, 448 for DINOv2), batch 1
/// and 8, random weights, forward only: exported to ONNX and run by ONNX Runtime, run eagerly by Exemplar.Torch, and
/// the same networks in PyTorch (bench/python/models_bench.py), same threads. MobileNetV2 also runs as the ONNX model
/// zoo's int8 graph (blocks 0–18), compared with PyTorch's float network.
/// </summary>
public static class EngineBenchmarks
{
    private static readonly (string Model, int Size)[] Models =
        [("mobilenetv2", 512), ("resnet50", 512), ("dinov2_vits14", 448), ("dinov2_vitb14", 448)];

    /// <summary>Runs every case (<paramref name="int8Weights"/>: mobilenetv2-12-int8.onnx, or null to skip the int8 case).</summary>
    public static EngineReport Run(int threads, string? int8Weights, bool withPytorch, int repeats, Action<string>? progress = null)
    {
        OrtEnv.Instance().DisableTelemetryEvents();
        LibTorch.Threads = threads;
        int[] batches = [1, 8];
        Dictionary<string, double>? reference = null;
        string? version = null;
        if (withPytorch)
        {
            var names = Models.SelectMany(m => batches.Select(b => $"{m.Model}_{m.Size}_b{b}_float32")).ToList();
            progress?.Invoke($"running the PyTorch reference ({names.Count} cases)");
            using var doc = PythonReference.Run("models_bench.py", ["--threads", threads.ToString(), "--cases", string.Join(',', names)]);
            version = doc.RootElement.GetProperty("torch").GetString();
            reference = doc.RootElement.GetProperty("cases").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        }
        double? Reference(string name) => reference is not null && reference.TryGetValue(name, out var ms) ? ms : null;

        var cases = new List<EngineCase>();
        using var noGrad = LibTorch.NoGrad();
        foreach (var (model, size) in Models)
        {
            using var encoder = ModelZoo.Get(model).Create();
            var module = (Module<Tensor, Tensor>)encoder;
            module.Eval();
            foreach (int batch in batches)
            {
                string name = $"{model}_{size}_b{batch}";
                progress?.Invoke(name);
                using var scope = DisposeScope.Begin();
                var x = Tensor.Randn([batch, 3, size, size]);
                double eager = BenchmarkTimer.MedianMilliseconds(() => { using var y = module.Forward(x); }, () => { }, 1, repeats, 1);
                var graph = OnnxExporter.Export(module, module.Forward, x, new OnnxExportOptions { InputNames = ["image"] }).ToByteArray();
                double ort = TimeOnnxRuntime(graph, x.ToArray<float>(), [batch, 3, size, size], threads, repeats);
                cases.Add(new EngineCase(name, ort, eager, Reference($"{name}_float32")));
            }
        }
        if (int8Weights is not null)
        {
            var graph = DeployGraphs.Int8MobileNetV2Levels(int8Weights, [18]).ToByteArray();
            foreach (int batch in batches)
            {
                progress?.Invoke($"mobilenetv2_int8_512_b{batch}");
                using var scope = DisposeScope.Begin();
                var x = Tensor.Randn([batch, 3, 512, 512]);
                double ort = TimeOnnxRuntime(graph, x.ToArray<float>(), [batch, 3, 512, 512], threads, repeats);
                cases.Add(new EngineCase($"mobilenetv2_int8_512_b{batch}", ort, null, Reference($"mobilenetv2_512_b{batch}_float32")));
            }
        }
        return new EngineReport(threads, version, cases);
    }

    private static double TimeOnnxRuntime(byte[] graph, float[] input, long[] shape, int threads, int repeats)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(graph, options);
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        string inputName = session.InputNames[0];
        return BenchmarkTimer.MedianMilliseconds(() =>
        {
            using var outputs = session.Run(runOptions, [inputName], [value], session.OutputNames);
        }, () => { }, 1, repeats, 1);
    }
}
