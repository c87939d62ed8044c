using Exemplar.Models.DinoV2;
using Exemplar.Models.MobileNet;
using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Benchmarks;

/// <summary>Options of <c>exemplar bench models</c>.</summary>
/// <param name="Threads">Intra-op threads for both Exemplar and PyTorch.</param>
/// <param name="Quick">One timed forward per case instead of three (a smoke run).</param>
/// <param name="WithPytorch">Also run the PyTorch reference (bench/python/models_bench.py).</param>
/// <param name="Cases">Only these cases (names as in <see cref="ModelBenchmarks.AllCases"/>); all when null.</param>
public sealed record ModelBenchmarkOptions(int Threads, bool Quick = false, bool WithPytorch = true, IReadOnlyList<string>? Cases = null);

/// <summary>One forward-pass case: which model, input side, batch and dtype.</summary>
/// <param name="Model">dinov2_vits14, dinov2_vitb14 or mobilenetv2.</param>
/// <param name="Size">Square input side.</param>
/// <param name="Batch">Images per forward.</param>
/// <param name="DType">float32 or bfloat16.</param>
public sealed record ModelCase(string Model, int Size, int Batch, DType DType)
{
    /// <summary>The case name shared with the PyTorch script, e.g. <c>dinov2_vits14_518_b8_bfloat16</c>.</summary>
    public string Name => $"{Model}_{Size}_b{Batch}_{(DType == DType.BFloat16 ? "bfloat16" : "float32")}";

    /// <summary>Parses a case name.</summary>
    public static ModelCase Parse(string name)
    {
        var parts = name.Split('_');
        if (parts.Length < 4 || !parts[^2].StartsWith('b')) throw new FormatException($"'{name}' is not a model case (model_size_bN_dtype)");
        var dtype = parts[^1] switch
        {
            "float32" => DType.Float32,
            "bfloat16" => DType.BFloat16,
            _ => throw new FormatException($"'{name}': dtype must be float32 or bfloat16"),
        };
        return new ModelCase(string.Join('_', parts[..^3]), int.Parse(parts[^3]), int.Parse(parts[^2][1..]), dtype);
    }
}

/// <summary>
/// Encoder forward passes (random weights), each measured here and with the same network written in plain PyTorch
/// (bench/python/models_bench.py) in the same run: DINOv2 ViT-S/14 and ViT-B/14 at 224 and 518, MobileNetV2 at 224
/// and 448, batch 1 and 8, float32 and bfloat16.
/// </summary>
public static class ModelBenchmarks
{
    /// <summary>Every case, in the PyTorch script's order.</summary>
    public static IReadOnlyList<ModelCase> AllCases { get; } = BuildCases();

    private static List<ModelCase> BuildCases()
    {
        var cases = new List<ModelCase>();
        foreach (var (model, sizes) in new[] { ("dinov2_vits14", new[] { 224, 518 }), ("dinov2_vitb14", [224, 518]), ("mobilenetv2", [224, 448]) })
        {
            foreach (int size in sizes)
            {
                foreach (int batch in new[] { 1, 8 })
                {
                    cases.Add(new ModelCase(model, size, batch, DType.Float32));
                    cases.Add(new ModelCase(model, size, batch, DType.BFloat16));
                }
            }
        }
        return cases;
    }

    /// <summary>Runs the cases and returns the report.</summary>
    public static BenchmarkReport Run(ModelBenchmarkOptions options, Action<string>? progress = null)
    {
        LibTorch.Threads = options.Threads;
        var cases = options.Cases?.Select(ModelCase.Parse).ToList() ?? [.. AllCases];
        Dictionary<string, double>? reference = null;
        string? pytorchVersion = null;
        if (options.WithPytorch)
        {
            progress?.Invoke($"running the PyTorch reference ({cases.Count} cases)");
            var args = new List<string> { "--threads", options.Threads.ToString(), "--cases", string.Join(',', cases.Select(c => c.Name)) };
            if (options.Quick) args.Add("--quick");
            using var doc = PythonReference.Run("models_bench.py", args);
            pytorchVersion = doc.RootElement.GetProperty("torch").GetString();
            reference = doc.RootElement.GetProperty("cases").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        }

        LibTorch.ManualSeed(0);
        var results = new List<BenchmarkCase>();
        using var noGrad = LibTorch.NoGrad();
        foreach (var group in cases.GroupBy(c => (c.Model, c.DType)))
        {
            using var model = Build(group.Key.Model);
            model.Eval();
            model.To(group.Key.DType);
            foreach (var c in group)
            {
                progress?.Invoke(c.Name);
                using var scope = DisposeScope.Begin();
                var x = Tensor.Randn([c.Batch, 3, c.Size, c.Size]).To(c.DType);
                double ms = BenchmarkTimer.MedianMilliseconds(() => { using var y = model.Forward(x); }, () => { }, 1, options.Quick ? 1 : 3, 1);
                results.Add(new BenchmarkCase(c.Name, ms, reference is not null && reference.TryGetValue(c.Name, out var theirs) ? theirs : null, c.Batch));
            }
        }
        // Report in the requested order.
        var ordered = cases.Select(c => results.First(r => r.Name == c.Name)).ToList();
        return new BenchmarkReport("models", "cpu", LibTorch.Threads, LibTorch.Version, pytorchVersion, ordered);
    }

    /// <summary>
    /// The networks, with forward passes doing the same work as the PyTorch reference: DINOv2 returns the normalised
    /// tokens (its Forward computes them all and returns the class token), MobileNetV2 the logits.
    /// </summary>
    private static Module<Tensor, Tensor> Build(string model) => model switch
    {
        "dinov2_vits14" => new DinoVisionTransformer(DinoV2Options.For(DinoV2Variant.ViTS14)),
        "dinov2_vitb14" => new DinoVisionTransformer(DinoV2Options.For(DinoV2Variant.ViTB14)),
        "mobilenetv2" => new MobileNetV2(),
        _ => throw new ArgumentException($"unknown benchmark model '{model}' (dinov2_vits14, dinov2_vitb14, mobilenetv2)"),
    };
}
