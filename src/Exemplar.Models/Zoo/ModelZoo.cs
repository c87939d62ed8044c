using Exemplar.Models.DinoV2;
using Exemplar.Models.MobileNet;
using Exemplar.Models.ResNet;
using Exemplar.Torch.Nn;
using Exemplar.Torch.Serialization;

namespace Exemplar.Models.Zoo;

/// <summary>
/// The model zoo: one explicit table of every encoder Exemplar can build, with the weight files each accepts (users
/// download foundation weights themselves: the URLs are the public ones).
/// </summary>
public static class ModelZoo
{
    /// <summary>Every model, in display order.</summary>
    public static IReadOnlyList<ZooModel> Models { get; } =
    [
        DinoV2Model(DinoV2Variant.ViTS14, "ViT-S/14", "dinov2-small"),
        DinoV2Model(DinoV2Variant.ViTS14Reg4, "ViT-S/14, 4 registers", "dinov2-with-registers-small"),
        DinoV2Model(DinoV2Variant.ViTB14, "ViT-B/14", "dinov2-base"),
        DinoV2Model(DinoV2Variant.ViTB14Reg4, "ViT-B/14, 4 registers", "dinov2-with-registers-base"),
        DinoV2Model(DinoV2Variant.ViTL14, "ViT-L/14", "dinov2-large"),
        DinoV2Model(DinoV2Variant.ViTL14Reg4, "ViT-L/14, 4 registers", "dinov2-with-registers-large"),
        DinoV2Model(DinoV2Variant.ViTG14, "ViT-g/14", "dinov2-giant"),
        DinoV2Model(DinoV2Variant.ViTG14Reg4, "ViT-g/14, 4 registers", "dinov2-with-registers-giant"),
        new(
            "mobilenetv2",
            "mobilenet",
            "MobileNetV2-1.0 (ImageNet), dequantised from the ONNX model zoo's int8 file; features at strides 2-32",
            MobileNetV2.DefaultPreprocessing,
            [new WeightSource(WeightFormat.OnnxInt8, "ONNX model zoo mobilenetv2-12-int8.onnx",
                "https://github.com/onnx/models/raw/main/validated/vision/classification/mobilenet/model/mobilenetv2-12-int8.onnx")],
            () => new MobileNetV2(),
            MobileNetV2.FromOnnx),
        ResNetModel(ResNetVariant.ResNet50, "https://download.pytorch.org/models/resnet50-0676ba61.pth"),
        ResNetModel(ResNetVariant.ResNet101, "https://download.pytorch.org/models/resnet101-63fe2227.pth"),
    ];

    /// <summary>The model called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No model has that name (the message lists the names).</exception>
    public static ZooModel Get(string name) =>
        Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown model '{name}'; the zoo has: {string.Join(", ", Models.Select(m => m.Name))}", nameof(name));

    private static ZooModel DinoV2Model(DinoV2Variant variant, string title, string huggingFace)
    {
        string name = DinoV2Options.HubName(variant);
        bool registers = name.EndsWith("_reg", StringComparison.Ordinal);
        string backbone = registers ? name[..^"_reg".Length] : name;
        return new(
            name,
            "dinov2",
            $"DINOv2 {title} (self-supervised, frozen): dense patch features at stride 14",
            DinoVisionTransformer.PreprocessingFor(DinoV2Options.For(variant)),
            [
                new WeightSource(WeightFormat.DinoV2Official, $"facebookresearch/dinov2 {backbone}{(registers ? "_reg4" : "")}_pretrain.pth",
                    $"https://dl.fbaipublicfiles.com/dinov2/{backbone}/{backbone}{(registers ? "_reg4" : "")}_pretrain.pth"),
                new WeightSource(WeightFormat.HuggingFace, $"Hugging Face facebook/{huggingFace} model.safetensors",
                    $"https://huggingface.co/facebook/{huggingFace}/resolve/main/model.safetensors"),
            ],
            () => new DinoVisionTransformer(DinoV2Options.For(variant)),
            path => DinoV2Weights.Load(path, variant));
    }

    private static ZooModel ResNetModel(ResNetVariant variant, string url) => new(
        variant.Name,
        "resnet",
        $"torchvision {variant.Name} (ImageNet), the classic few-shot segmentation backbone; features at strides 4-32",
        ResNetEncoder.DefaultPreprocessing,
        [new WeightSource(WeightFormat.Torchvision, $"torchvision {variant.Name} ImageNet weights", url)],
        () => new ResNetEncoder(variant),
        path => (ResNetEncoder)LoadModule(new ResNetEncoder(variant), path).Eval());

    /// <summary>Loads a state dict file (safetensors or torch.save zip, told by its first bytes) strictly into <paramref name="model"/>.</summary>
    internal static T LoadModule<T>(T model, string path) where T : Module
    {
        try
        {
            Checkpoints.LoadInto(model, path);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
