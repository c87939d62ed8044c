using Exemplar.Torch;
using F = Exemplar.Torch.Functional;

namespace Exemplar.Benchmarks;

/// <summary>Options of <c>exemplar bench torch</c>.</summary>
/// <param name="Threads">Intra-op threads for both Exemplar and PyTorch.</param>
/// <param name="Device">Where the cases run.</param>
/// <param name="Quick">Fewer iterations (a smoke run, not for reporting).</param>
/// <param name="WithPytorch">Also run the PyTorch reference.</param>
public sealed record TorchBenchmarkOptions(int Threads, Device Device, bool Quick = false, bool WithPytorch = true);

/// <summary>
/// The foundation benchmark: (a) per-call cost of a tiny add, (b) a ResNet basic block forward and backward,
/// (c) a 1024×1024 matmul — each measured here and in PyTorch (bench/python/torch_bench.py) in the same run.
/// </summary>
public static class TorchBenchmarks
{
    /// <summary>Runs every case and returns the report.</summary>
    public static BenchmarkReport Run(TorchBenchmarkOptions options, Action<string>? progress = null)
    {
        LibTorch.Threads = options.Threads;
        double scale = options.Quick ? 0.2 : 1.0;
        Action sync = options.Device.Type == DeviceType.Cuda ? LibTorch.CudaSynchronize : () => { };
        var device = options.Device;

        // PyTorch first, so that both sides run on a machine in the same state (nothing else of ours is loaded yet).
        Dictionary<string, double>? reference = null;
        string? pytorchVersion = null;
        if (options.WithPytorch)
        {
            progress?.Invoke("running the PyTorch reference");
            var args = new List<string> { "--threads", options.Threads.ToString(), "--device", device.ToString() };
            if (options.Quick) args.Add("--quick");
            using var doc = PythonReference.Run("torch_bench.py", args);
            pytorchVersion = doc.RootElement.GetProperty("torch").GetString();
            reference = doc.RootElement.GetProperty("cases").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        }

        var cases = new List<BenchmarkCase>();
        void Add(string name, double ms) => cases.Add(new BenchmarkCase(name, ms, reference?.GetValueOrDefault(name)));

        progress?.Invoke("add on 1-element tensors");
        using (var a = Tensor.Ones([1], device: device))
        using (var b = Tensor.Ones([1], device: device))
        {
            Add("add_1elem", BenchmarkTimer.MedianMilliseconds(() => { using var c = a + b; }, sync, 2000, 7, Math.Max(1, (int)(20000 * scale))));
        }

        progress?.Invoke("ResNet basic block, forward and backward");
        using (var block = new BasicBlockInputs(device))
        {
            Add("resnet_block_fwd_bwd", BenchmarkTimer.MedianMilliseconds(block.ForwardBackward, sync, 2, Math.Max(3, (int)(10 * scale)), 1));
        }

        progress?.Invoke("1024x1024 matmul");
        using (var gen = new Generator(1))
        using (var m1 = Tensor.Randn([1024, 1024], gen).To(device))
        using (var m2 = Tensor.Randn([1024, 1024], gen).To(device))
        {
            Add("matmul_1024", BenchmarkTimer.MedianMilliseconds(() => { using var c = m1.Matmul(m2); }, sync, 3, 7, Math.Max(1, (int)(5 * scale))));
        }

        return new BenchmarkReport("torch", device.ToString(), LibTorch.Threads, LibTorch.Version, pytorchVersion, cases);
    }

    /// <summary>conv3x3-BN-ReLU, conv3x3-BN, + residual, ReLU: 64 channels, batch 8, 112×112, BN in training mode.</summary>
    private sealed class BasicBlockInputs : IDisposable
    {
        private readonly Tensor _x, _w1, _w2, _g1, _b1, _g2, _b2, _rm1, _rv1, _rm2, _rv2;
        private readonly Tensor[] _parameters;

        public BasicBlockInputs(Device device)
        {
            using var gen = new Generator(0);
            using var scope = DisposeScope.Begin();
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
