namespace Exemplar.Runtime;

/// <summary>ONNX Runtime execution providers Exemplar can ask for by name.</summary>
public enum ExecutionProvider
{
    /// <summary>The CPU (always available).</summary>
    Cpu,
    /// <summary>NVIDIA CUDA (package Microsoft.ML.OnnxRuntime.Gpu, CUDA and cuDNN installed).</summary>
    Cuda,
    /// <summary>NVIDIA TensorRT (the GPU package and TensorRT installed).</summary>
    TensorRT,
    /// <summary>DirectML on Windows (package Microsoft.ML.OnnxRuntime.DirectML).</summary>
    DirectML,
    /// <summary>Apple CoreML (macOS/iOS builds of ONNX Runtime).</summary>
    CoreML,
    /// <summary>Intel OpenVINO (package Intel.ML.OnnxRuntime.OpenVino).</summary>
    OpenVINO,
}

/// <summary>How <see cref="ExemplarModel"/> runs its graphs.</summary>
public sealed record RuntimeOptions
{
    /// <summary>The execution provider (CPU by default); the CPU runs what the provider cannot.</summary>
    public ExecutionProvider Provider { get; init; } = ExecutionProvider.Cpu;

    /// <summary>The GPU (CUDA, TensorRT, DirectML) to use.</summary>
    public int DeviceId { get; init; }

    /// <summary>Threads per graph run (0: as many as the machine has cores).</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Parses "cpu", "cuda", "cuda:1", "tensorrt", "directml", "coreml" or "openvino".
    /// </summary>
    /// <exception cref="ArgumentException">Unknown provider name.</exception>
    public static RuntimeOptions ForDevice(string device, int threads = 0)
    {
        var parts = device.Split(':', 2);
        int id = parts.Length == 2 && int.TryParse(parts[1], out int n) && n >= 0 ? n
            : parts.Length == 2 ? throw new ArgumentException($"device '{device}': the index after ':' must be a number") : 0;
        var provider = parts[0].ToLowerInvariant() switch
        {
            "cpu" => ExecutionProvider.Cpu,
            "cuda" => ExecutionProvider.Cuda,
            "tensorrt" or "trt" => ExecutionProvider.TensorRT,
            "directml" or "dml" => ExecutionProvider.DirectML,
            "coreml" => ExecutionProvider.CoreML,
            "openvino" => ExecutionProvider.OpenVINO,
            _ => throw new ArgumentException($"unknown device '{device}'; use cpu, cuda[:N], tensorrt[:N], directml[:N], coreml or openvino"),
        };
        return new RuntimeOptions { Provider = provider, DeviceId = id, Threads = threads };
    }
}

/// <summary>How <see cref="ExemplarModel.Segment(Prompt, ImageInput, SegmentOptions?)"/> decides.</summary>
public sealed record SegmentOptions
{
    /// <summary>Probability above which a pixel belongs to its best class (null: the bundle's default).</summary>
    public float? Threshold { get; init; }

    /// <summary>Connected objects smaller than this many pixels are not listed in <see cref="SegmentResult.Objects"/>.</summary>
    public int MinObjectArea { get; init; } = 16;

    /// <summary>
    /// Whether the mirror image is segmented too and the two logit maps averaged (test-time augmentation; the encoder
    /// and decoder run twice). Default false: on the shared suite it adds 0.3 mIoU (docs/benchmarks.md).
    /// </summary>
    public bool FlipTest { get; init; }
}
