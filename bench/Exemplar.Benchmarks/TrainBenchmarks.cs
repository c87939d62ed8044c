using Exemplar.Models.Segmentation;
using Exemplar.Torch;
using Exemplar.Training.Optim;
using F = Exemplar.Torch.Functional;

namespace Exemplar.Benchmarks;

/// <summary>Options of <c>exemplar bench train</c>.</summary>
/// <param name="Threads">Intra-op threads for both Exemplar and PyTorch.</param>
/// <param name="Warmup">Untimed steps per case first.</param>
/// <param name="Steps">Timed steps per case (the median is reported).</param>
/// <param name="WithPytorch">Also run the PyTorch reference (bench/python/train_bench.py).</param>
/// <param name="Cases">Only these cases (names as in <see cref="TrainCase.Name"/>); <see cref="TrainBenchmarks.DefaultCases"/> when null.</param>
public sealed record TrainBenchmarkOptions(int Threads, int Warmup = 2, int Steps = 5, bool WithPytorch = true, IReadOnlyList<string>? Cases = null);

/// <summary>One training case: LR-ASPP MobileNetV2 at a square input side and batch.</summary>
/// <param name="Size">Square input side (a multiple of 32).</param>
/// <param name="Batch">Images per step.</param>
public sealed record TrainCase(int Size, int Batch)
{
    private const string Model = "lraspp_mobilenetv2";

    /// <summary>The case name shared with the PyTorch script, e.g. <c>lraspp_mobilenetv2_512_b8</c>.</summary>
    public string Name => $"{Model}_{Size}_b{Batch}";

    /// <summary>Parses a case name.</summary>
    /// <exception cref="FormatException">Not <c>lraspp_mobilenetv2_SIZE_bBATCH</c> with a positive batch and a side that is a positive multiple of 32.</exception>
    public static TrainCase Parse(string name)
    {
        var parts = name.Split('_');
        if (parts.Length != 4 || string.Join('_', parts[..2]) != Model || !parts[3].StartsWith('b')
            || !int.TryParse(parts[2], out int size) || !int.TryParse(parts[3][1..], out int batch) || size <= 0 || size % 32 != 0 || batch <= 0)
        {
            throw new FormatException($"'{name}' is not a training case ({Model}_SIZE_bBATCH, SIZE a multiple of 32)");
        }
        return new TrainCase(size, batch);
    }
}

/// <summary>
/// Training steps of <see cref="LrAsppMobileNetV2"/> (11 classes, random weights), each measured here and with the
/// same network written in plain PyTorch (bench/python/train_bench.py) in the same run. A step is: zero grad, forward,
/// cross-entropy with ignore index 255 against fixed random labels, backward, AdamW step (lr 1e-3, weight decay 0.01).
/// </summary>
public static class TrainBenchmarks
{
    /// <summary>Classes of the benchmarked network (CamVid's 11).</summary>
    public const int ClassCount = 11;

    /// <summary>The label of pixels the loss ignores.</summary>
    public const int IgnoreIndex = 255;

    /// <summary>The cases run when none are asked for: 256×256 (short) and 512×512, batch 8.</summary>
    public static IReadOnlyList<TrainCase> DefaultCases { get; } = [new(256, 8), new(512, 8)];

    /// <summary>Runs the cases and returns the report.</summary>
    /// <exception cref="InvalidOperationException">The PyTorch network's parameter count differs from Exemplar's (the two would not be the same network), or the reference failed.</exception>
    public static BenchmarkReport Run(TrainBenchmarkOptions options, Action<string>? progress = null)
    {
        if (options.Warmup < 0) throw new ArgumentOutOfRangeException(nameof(options), options.Warmup, "warm-up steps are not negative");
        if (options.Steps < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Steps, "at least one timed step");
        LibTorch.Threads = options.Threads;
        var cases = options.Cases?.Select(TrainCase.Parse).ToList() ?? [.. DefaultCases];
        LibTorch.ManualSeed(0);
        using var model = new LrAsppMobileNetV2(ClassCount);
        model.Train();
        long parameters = model.ParameterCount();

        Dictionary<string, double>? reference = null;
        string? pytorchVersion = null;
        if (options.WithPytorch)
        {
            progress?.Invoke($"running the PyTorch reference ({cases.Count} cases)");
            var args = new List<string>
            {
                "--threads", options.Threads.ToString(), "--classes", ClassCount.ToString(), "--warmup", options.Warmup.ToString(),
                "--steps", options.Steps.ToString(), "--cases", string.Join(',', cases.Select(c => c.Name)),
            };
            using var doc = PythonReference.Run("train_bench.py", args);
            pytorchVersion = doc.RootElement.GetProperty("torch").GetString();
            long theirs = doc.RootElement.GetProperty("parameters").GetInt64();
            progress?.Invoke($"parameters: Exemplar {parameters:N0}, PyTorch {theirs:N0}");
            if (theirs != parameters)
            {
                throw new InvalidOperationException($"train_bench.py's network has {theirs:N0} parameters, Exemplar's {parameters:N0}: they are not the same network");
            }
            reference = doc.RootElement.GetProperty("cases").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        }
        else
        {
            progress?.Invoke($"parameters: Exemplar {parameters:N0}");
        }

        using var optimizer = new AdamW(model.Parameters(), new AdamWOptions { LearningRate = 1e-3, WeightDecay = 0.01 });
        var results = new List<BenchmarkCase>();
        foreach (var c in cases)
        {
            progress?.Invoke(c.Name);
            using var scope = DisposeScope.Begin();
            var x = Tensor.Randn([c.Batch, 3, c.Size, c.Size]);
            // Labels 0..classes, the extra value standing for ignored pixels, so the ignore path is exercised (as in the script).
            var drawn = Tensor.Randint(0, ClassCount + 1, [c.Batch, c.Size, c.Size]);
            var labels = drawn.MaskedFill(drawn.Eq(ClassCount), IgnoreIndex);
            void Step()
            {
                optimizer.ZeroGrad();
                using var stepScope = DisposeScope.Begin();
                var loss = F.CrossEntropy(model.Forward(x), labels, ignoreIndex: IgnoreIndex);
                loss.Backward();
                optimizer.Step();
            }
            double ms = BenchmarkTimer.MedianMilliseconds(Step, () => { }, options.Warmup, options.Steps, 1);
            results.Add(new BenchmarkCase(c.Name, ms, reference is not null && reference.TryGetValue(c.Name, out var theirs) ? theirs : null, c.Batch));
        }
        return new BenchmarkReport("train", "cpu", LibTorch.Threads, LibTorch.Version, pytorchVersion, results)
        {
            Parameters = parameters,
            WarmupSteps = options.Warmup,
            TimedSteps = options.Steps,
        };
    }
}
