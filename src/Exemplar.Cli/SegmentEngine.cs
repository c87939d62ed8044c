using System.CommandLine;
using Exemplar.InContext;
using Exemplar.Runtime;
using Exemplar.Torch;

namespace Exemplar.Cli;

/// <summary>Which engine runs <c>segment</c>, <c>encode-prompts</c> and <c>eval</c>.</summary>
internal enum EngineKind
{
    /// <summary>Exemplar.Runtime: an .exemplar bundle in ONNX Runtime (the default).</summary>
    Onnx,
    /// <summary>Exemplar.Torch: a zoo encoder with its weights, eagerly.</summary>
    Torch,
}

/// <summary>
/// The options that choose and configure the engine (<c>--engine</c>, <c>--bundle</c>, <c>--device</c>), and the
/// prompted segmenter either engine gives: encoded examples plus one call per target, results as tensors, so the
/// commands write and describe them the same way.
/// </summary>
internal sealed class EngineOptions
{
    public Option<EngineKind?> Engine { get; } = new("--engine")
    {
        Description = "onnx: an .exemplar bundle in ONNX Runtime (default); torch: a zoo encoder and --weights in Exemplar.Torch (the default when --weights is given).",
    };

    public Option<FileInfo?> Bundle { get; } = new("--bundle") { Description = "onnx: the .exemplar bundle (default: models/mobilenetv2-int8.exemplar, which ships with Exemplar)." };

    public Option<string> Device { get; } = new("--device") { Description = "onnx: cpu, cuda[:N], tensorrt[:N], directml[:N], coreml or openvino.", DefaultValueFactory = _ => "cpu" };

    public Option<bool> FlipTest { get; } = new("--flip-test") { Description = "onnx: also segment each target mirrored and average the two (the encoder and decoder run twice)." };

    /// <summary>Adds the options; --flip-test only to commands that segment.</summary>
    public void AddTo(Command command, bool segments = true)
    {
        command.Options.Add(Engine);
        command.Options.Add(Bundle);
        command.Options.Add(Device);
        if (segments) command.Options.Add(FlipTest);
    }

    /// <summary>The runtime's segment options: --threshold (null: the bundle's) and --flip-test.</summary>
    public SegmentOptions SegmentOptions(ParseResult result, double? threshold) => new() { Threshold = (float?)threshold, FlipTest = result.GetValue(FlipTest) };

    /// <summary>The engine asked for: --engine, else torch when --weights is given, else onnx; conflicting options are refused.</summary>
    public EngineKind Resolve(ParseResult result, CliInputs inputs)
    {
        bool weights = result.GetValue(inputs.Weights) is not null;
        var engine = result.GetValue(Engine) ?? (weights ? EngineKind.Torch : EngineKind.Onnx);
        if (engine == EngineKind.Onnx && result.GetValue(inputs.Decoder) is not null)
        {
            throw new ArgumentException("--decoder is for --engine torch (with --weights); a bundle carries its own decoder: write one with `exemplar export --decoder`");
        }
        if (engine == EngineKind.Onnx && weights)
        {
            throw new ArgumentException("--weights is for --engine torch; to run other weights in ONNX Runtime, write a bundle with `exemplar export` and pass it with --bundle");
        }
        if (engine == EngineKind.Torch && result.GetValue(Bundle) is not null) throw new ArgumentException("--bundle is for --engine onnx; --engine torch takes --model and --weights");
        if (engine == EngineKind.Torch && result.GetValue(FlipTest))
        {
            throw new ArgumentException("--flip-test is for --engine onnx: export the encoder (and --decoder) into a bundle with `exemplar export`");
        }
        if (engine == EngineKind.Torch && result.GetValue(Device) != "cpu") throw new ArgumentException("--device is for --engine onnx (the in-context pipeline runs Exemplar.Torch on the CPU)");
        return engine;
    }

    /// <summary>Loads the runtime model (--bundle or the default, --device, the global --threads).</summary>
    public ExemplarModel LoadModel(ParseResult result, int threads) =>
        ExemplarModel.Load(result.GetValue(Bundle)?.FullName, RuntimeOptions.ForDevice(result.GetValue(Device)!, threads));
}

/// <summary>Encoded examples ready to segment targets, on either engine.</summary>
internal interface IPromptedSegmenter : IDisposable
{
    /// <summary>Class names (label i + 1).</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>The probability threshold in use.</summary>
    double Threshold { get; }

    /// <summary>The square side images are resized to (targets need not be decoded much larger).</summary>
    int InputSize { get; }

    /// <summary>Segments a [3, H, W] uint8 image; the caller owns the result.</summary>
    SegmentationResult Segment(Tensor image, string name);
}

/// <summary>The Exemplar.Torch engine: a zoo segmenter and its prompt features.</summary>
internal sealed class TorchPromptedSegmenter(ZooSegmenter zoo, PromptFeatures features) : IPromptedSegmenter
{
    public IReadOnlyList<string> ClassNames => features.ClassNames;

    public double Threshold => zoo.Segmenter.Options.Threshold;

    public int InputSize => zoo.Segmenter.Options.InputSize;

    public SegmentationResult Segment(Tensor image, string name)
    {
        try
        {
            return zoo.Segmenter.Segment(features, image);
        }
        catch (TorchException e)
        {
            throw new InvalidOperationException($"{name}: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        features.Dispose();
        zoo.Dispose();
    }
}

/// <summary>The ONNX Runtime engine: a bundle and a runtime prompt.</summary>
internal sealed class OnnxPromptedSegmenter(ExemplarModel model, Prompt prompt, SegmentOptions options) : IPromptedSegmenter
{
    public IReadOnlyList<string> ClassNames => prompt.Classes;

    public double Threshold => options.Threshold ?? model.Info.Threshold;

    public int InputSize => model.Info.InputSize;

    public SegmentationResult Segment(Tensor image, string name) => RuntimeExampleSegmenter.Segment(model, prompt, image, name, options);

    public void Dispose()
    {
        prompt.Dispose();
        model.Dispose();
    }
}
