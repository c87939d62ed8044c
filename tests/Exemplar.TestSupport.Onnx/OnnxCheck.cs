using System.Diagnostics;
using Exemplar.Torch;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = Exemplar.Torch.Tensor;

using Xunit;

namespace Exemplar.TestSupport.Onnx;

/// <summary>Runs exported graphs in ONNX Runtime and through the official ONNX checker (Debian's python3-onnx).</summary>
public static class OnnxCheck
{
    static OnnxCheck() => OrtEnv.Instance().DisableTelemetryEvents();

    /// <summary>Runs <paramref name="model"/> on CPU with named float/int64/bool inputs → outputs in graph order, as libtorch tensors.</summary>
    public static Tensor[] Run(byte[] model, params (string Name, Tensor Value)[] inputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(model, options);
        var values = inputs.Select(i => NamedOnnxValue.CreateFromTensor(i.Name, ToOrt(i.Value))).ToList();
        using var results = session.Run(values);
        return [.. results.Select(r => FromOrt(r))];
    }

    /// <summary>
    /// The operator types of the graph ONNX Runtime actually runs on the CPU after its optimisations (all levels),
    /// with their counts: e.g. QLinearConv where a QDQ graph's convolutions run in int8.
    /// </summary>
    public static IReadOnlyDictionary<string, int> OptimizedOperators(byte[] model)
    {
        string path = Path.Combine(Path.GetTempPath(), $"exemplar-optimized-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = path, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR })
            using (new InferenceSession(model, options)) { }
            var start = new ProcessStartInfo("/usr/bin/python3", ["-c", "import onnx, sys, collections; print('\\n'.join(f'{k} {v}' for k, v in collections.Counter(n.op_type for n in onnx.load(sys.argv[1]).graph.node).items()))", path])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"could not read the optimised model: {error}");
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Asserts <c>onnx.checker.check_model(model, full_check=True)</c> passes.</summary>
    public static void AssertValid(byte[] model)
    {
        string path = Path.Combine(Path.GetTempPath(), $"exemplar-check-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model);
        try
        {
            var start = new ProcessStartInfo("/usr/bin/python3", ["-c", "import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)", path])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(start)!;
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"onnx.checker rejected the exported model (is python3-onnx installed? scripts/setup.sh installs it):\n{error}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static DenseTensor<float> ToOrtFloat(Tensor t) => new(t.Contiguous().ToArray<float>(), [.. t.Shape.Select(s => (int)s)]);

    private static Microsoft.ML.OnnxRuntime.Tensors.Tensor<float> ToOrt(Tensor t) => t.DType == DType.Float32
        ? ToOrtFloat(t)
        : throw new NotSupportedException($"test inputs are float32, not {t.DType}");

    private static Tensor FromOrt(DisposableNamedOnnxValue value)
    {
        long[] shape;
        switch (value.Value)
        {
            case DenseTensor<float> f:
                shape = [.. f.Dimensions.ToArray().Select(d => (long)d)];
                return Tensor.From(f.Buffer.ToArray(), shape);
            case DenseTensor<long> l:
                shape = [.. l.Dimensions.ToArray().Select(d => (long)d)];
                return Tensor.From(l.Buffer.ToArray(), shape);
            case DenseTensor<bool> b:
                shape = [.. b.Dimensions.ToArray().Select(d => (long)d)];
                return Tensor.From(b.Buffer.ToArray(), shape);
            default:
                throw new NotSupportedException($"output {value.Name} has type {value.Value?.GetType()}");
        }
    }
}
