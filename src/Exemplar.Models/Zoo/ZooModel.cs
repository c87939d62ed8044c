using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Exemplar.Torch.Serialization;

namespace Exemplar.Models.Zoo;

/// <summary>Kinds of weight files the zoo loads.</summary>
public enum WeightFormat
{
    /// <summary>facebookresearch/dinov2's <c>dinov2_vit*14[_reg4]_pretrain.pth</c>.</summary>
    DinoV2Official,
    /// <summary>A Hugging Face <c>model.safetensors</c> (transformers naming).</summary>
    HuggingFace,
    /// <summary>A torchvision <c>*.pth</c> state dict.</summary>
    Torchvision,
    /// <summary>An int8-quantised ONNX file, dequantised on load.</summary>
    OnnxInt8,
}

/// <summary>Short labels of weight formats, for tables.</summary>
public static class WeightFormatLabels
{
    /// <summary>e.g. "official .pth", "HF" (Hugging Face safetensors).</summary>
    public static string Label(this WeightFormat format) => format switch
    {
        WeightFormat.DinoV2Official => "official .pth",
        WeightFormat.HuggingFace => "HF",
        WeightFormat.Torchvision => "torchvision",
        _ => "ONNX int8",
    };

    /// <summary>The kinds of file a weight format comes in.</summary>
    public static IReadOnlyList<WeightFileKind> KindsOf(this WeightFormat format) => format switch
    {
        WeightFormat.OnnxInt8 => [WeightFileKind.Onnx],
        WeightFormat.HuggingFace => [WeightFileKind.SafeTensors, WeightFileKind.TorchZip],
        _ => [WeightFileKind.TorchZip, WeightFileKind.SafeTensors],
    };
}

/// <summary>A weight file a zoo model accepts, and where users download it.</summary>
/// <param name="Format">Its format.</param>
/// <param name="Description">What it is.</param>
/// <param name="Url">Public download location.</param>
public sealed record WeightSource(WeightFormat Format, string Description, string Url);

/// <summary>Parameters and multiply-accumulates of one forward pass of a model at a square input size.</summary>
/// <param name="Parameters">Parameter elements.</param>
/// <param name="Macs">Multiply-accumulates for one image (convolutions, linear layers, matrix products).</param>
/// <param name="InputSize">The input side used (the width, when <paramref name="InputHeight"/> is given).</param>
/// <param name="InputHeight">The input height when it differs from the width; null for a square input.</param>
public sealed record ModelComplexity(long Parameters, long Macs, int InputSize, int? InputHeight = null)
{
    /// <summary>The input as "WxH".</summary>
    public string Input => $"{InputSize}x{InputHeight ?? InputSize}";

    /// <summary>MACs in billions.</summary>
    public double GMacs => Macs / 1e9;
}

/// <summary>One row of the model zoo: how to build a model, load its weights, and feed it.</summary>
/// <param name="Name">Unique name, e.g. <c>dinov2_vits14</c>.</param>
/// <param name="Family">Model family (one checkpoint converter per family).</param>
/// <param name="Description">One line for people.</param>
/// <param name="Preprocessing">What inputs it expects.</param>
/// <param name="WeightSources">Weight files it loads.</param>
/// <param name="Create">Builds it with random weights (on the thread's default device).</param>
/// <param name="ReadWeights">
/// Builds it and reads a weight file into it (format detected from the file; errors name the file). Use
/// <see cref="Load"/>, which checks the file first and always returns the model in evaluation mode.
/// </param>
public sealed record ZooModel(
    string Name,
    string Family,
    string Description,
    Preprocessing Preprocessing,
    IReadOnlyList<WeightSource> WeightSources,
    Func<IImageEncoder> Create,
    Func<string, IImageEncoder> ReadWeights)
{
    /// <summary>Whether a file of this kind can hold weights for this model.</summary>
    public bool Accepts(WeightFileKind kind) => WeightSources.Any(s => s.Format.KindsOf().Contains(kind));

    /// <summary>
    /// Builds the model and loads the weight file at <paramref name="path"/>, in evaluation mode (batch norm uses its
    /// running statistics, dropout is off): what feature extraction needs.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="CheckpointFormatException">
    /// The file is not of a kind this model loads (the message says what it is and what is expected), or is damaged.
    /// </exception>
    public IImageEncoder Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such weights file", path);
        var kind = WeightFile.Sniff(path);
        if (!Accepts(kind))
        {
            throw new CheckpointFormatException(path,
                $"this is {kind.Describe()}, but {Name} loads {string.Join(" or ", WeightSources.Select(s => s.Description))}");
        }
        var encoder = ReadWeights(path);
        ((Module)encoder).Eval();
        return encoder;
    }

    /// <summary>
    /// Counts parameters and MACs at <paramref name="inputSize"/> (default: the model's default size) by building the
    /// model and running it on the meta device: exact counts, no memory, a fraction of a second even for ViT-g.
    /// </summary>
    public ModelComplexity MeasureComplexity(int? inputSize = null)
    {
        int size = inputSize ?? Preprocessing.DefaultSize;
        return MeasureComplexity(size, size);
    }

    /// <summary>
    /// Counts parameters and MACs at <paramref name="width"/> x <paramref name="height"/> (multiples of the size
    /// multiple) on the meta device, as <see cref="MeasureComplexity(int?)"/> does.
    /// </summary>
    public ModelComplexity MeasureComplexity(int width, int height)
    {
        using var meta = Tensor.UseDefaultDevice(Device.Meta);
        using var noGrad = LibTorch.NoGrad();
        using var model = Create();
        var module = (Module)model;
        module.Eval();
        using var scope = DisposeScope.Begin();
        using var counter = MacCounter.Begin();
        model.ForwardFeatures(Tensor.Empty([1, 3, height, width], device: Device.Meta));
        return new ModelComplexity(module.ParameterCount(), counter.Macs, width, width == height ? null : height);
    }
}
