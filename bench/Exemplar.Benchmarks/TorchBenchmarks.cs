using Exemplar.Torch;
using F = Exemplar.Torch.Functional;

namespace Exemplar.Benchmarks;

/// <summary>Options of <c>exemplar bench torch</c>.</summary>
/// <param name="Threads">Intra-op threads for both Exemplar and PyTorch.</param>
/// <param name="Device">Where the cases run.</param>
/// <param name="Quick">Fewer iterations (a smoke run, not for reporting).</param>
/// <param name="WithPytorch">Also run the PyTorch reference.</param>
/// <param name="Rounds">
/// Rounds alternating PyTorch and Exemplar; each side's time is the median over rounds. Alternating and taking medians
/// keeps a shared machine's load changes from landing on one side only.
/// </param>
public sealed record TorchBenchmarkOptions(int Threads, Device Device, bool Quick = false, bool WithPytorch = true, int Rounds = 3);

/// <summary>
/// The foundation benchmark: (a) per-call cost of a tiny add, (b) a ResNet basic block forward and backward,
/// (c) a 1024×1024 matmul — each measured here and in PyTorch (bench/python/torch_bench.py) in the same run.
/// </summary>
public static class TorchBenchmarks
{
    /// <summary>Runs every case (in alternating rounds with PyTorch) and returns the report.</summary>
    public static BenchmarkReport Run(TorchBenchmarkOptions options, Action<string>? progress = null)
    {
        if (options.Rounds < 1) throw new ArgumentOutOfRangeException(nameof(options), "at least one round");
        LibTorch.Threads = options.Threads;
        var ours = new Dictionary<string, List<double>>();
        var theirs = new Dictionary<string, List<double>>();
        string? pytorchVersion = null;
        for (int round = 1; round <= options.Rounds; round++)
        {
            if (options.WithPytorch)
            {
                progress?.Invoke($"round {round}/{options.Rounds}: PyTorch reference");
                var args = new List<string> { "--threads", options.Threads.ToString(), "--device", options.Device.ToString() };
                if (options.Quick) args.Add("--quick");
                using var doc = PythonReference.Run("torch_bench.py", args);
                pytorchVersion = doc.RootElement.GetProperty("torch").GetString();
                foreach (var p in doc.RootElement.GetProperty("cases").EnumerateObject()) Append(theirs, p.Name, p.Value.GetDouble());
            }
            progress?.Invoke($"round {round}/{options.Rounds}: Exemplar");
            foreach (var (name, ms) in MeasureOnce(options)) Append(ours, name, ms);
        }
        var cases = ours.Select(kv => new BenchmarkCase(
            kv.Key,
            Median(kv.Value),
            theirs.TryGetValue(kv.Key, out var reference) ? Median(reference) : null,
            ExemplarRoundsMs: kv.Value,
            PytorchRoundsMs: theirs.GetValueOrDefault(kv.Key))).ToList();
        return new BenchmarkReport("torch", options.Device.ToString(), LibTorch.Threads, LibTorch.Version, pytorchVersion, cases);
    }

    private static void Append(Dictionary<string, List<double>> into, string name, double ms)
    {
        if (!into.TryGetValue(name, out var list)) into[name] = list = [];
        list.Add(ms);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>One round of Exemplar's cases: name → median milliseconds per call.</summary>
    private static IEnumerable<(string Name, double Ms)> MeasureOnce(TorchBenchmarkOptions options)
    {
        double scale = options.Quick ? 0.2 : 1.0;
        Action sync = options.Device.Type == DeviceType.Cuda ? LibTorch.CudaSynchronize : () => { };
        var device = options.Device;
        using (var a = Tensor.Ones([1], device: device))
        using (var b = Tensor.Ones([1], device: device))
        {
            yield return ("add_1elem", BenchmarkTimer.MedianMilliseconds(() => { using var c = a + b; }, sync, 2000, 7, Math.Max(1, (int)(20000 * scale))));
        }
        using (var block = new BasicBlockInputs(device))
        {
            yield return ("resnet_block_fwd_bwd", BenchmarkTimer.MedianMilliseconds(block.ForwardBackward, sync, 2, Math.Max(3, (int)(10 * scale)), 1));
        }
        using (var gen = new Generator(1))
        using (var scope = DisposeScope.Begin())
        {
            var m1 = Tensor.Randn([1024, 1024], gen).To(device);
            var m2 = Tensor.Randn([1024, 1024], gen).To(device);
            yield return ("matmul_1024", BenchmarkTimer.MedianMilliseconds(() => { using var c = m1.Matmul(m2); }, sync, 3, 7, Math.Max(1, (int)(5 * scale))));
        }
    }

    /// <summary>conv3x3-BN-ReLU, conv3x3-BN, + residual, ReLU: 64 channels, batch 8, 112×112, BN in training mode.</summary>
    private sealed class BasicBlockInputs : IDisposable
    {
        private readonly Tensor _x, _w1, _w2, _g1, _b1, _g2, _b2, _rm1, _rv1, _rm2, _rv2;
        private readonly Tensor[] _parameters;

        public BasicBlockInputs(Device device)
        {
            using var gen = new Generator(0);
            using var scope = DisposeScope.Begin(); // frees the CPU temporaries; the inputs are detached from it
            _x = Tensor.Randn([8, 64, 112, 112], gen).To(device).DetachFromScope();
            _w1 = (Tensor.Randn([64, 64, 3, 3], gen) * 0.05).To(device).DetachFromScope().RequiresGrad_();
            _w2 = (Tensor.Randn([64, 64, 3, 3], gen) * 0.05).To(device).DetachFromScope().RequiresGrad_();
            _g1 = Tensor.Ones([64], device: device).DetachFromScope().RequiresGrad_();
            _b1 = Tensor.Zeros([64], device: device).DetachFromScope().RequiresGrad_();
            _g2 = Tensor.Ones([64], device: device).DetachFromScope().RequiresGrad_();
            _b2 = Tensor.Zeros([64], device: device).DetachFromScope().RequiresGrad_();
            _rm1 = Tensor.Zeros([64], device: device).DetachFromScope();
            _rv1 = Tensor.Ones([64], device: device).DetachFromScope();
            _rm2 = Tensor.Zeros([64], device: device).DetachFromScope();
            _rv2 = Tensor.Ones([64], device: device).DetachFromScope();
            _parameters = [_w1, _w2, _g1, _b1, _g2, _b2];
        }

        public void ForwardBackward()
        {
            foreach (var p in _parameters) p.ZeroGrad();
            using var scope = DisposeScope.Begin();
            var h = F.Relu(F.BatchNorm(F.Conv2d(_x, _w1, null, 1, 1), _rm1, _rv1, _g1, _b1, training: true));
            var o = F.BatchNorm(F.Conv2d(h, _w2, null, 1, 1), _rm2, _rv2, _g2, _b2, training: true);
            var y = F.Relu(o + _x);
            y.Sum().Backward();
        }

        public void Dispose()
        {
            foreach (var t in new[] { _x, _w1, _w2, _g1, _b1, _g2, _b2, _rm1, _rv1, _rm2, _rv2 }) t.Dispose();
        }
    }
}
