using Exemplar.Models.DinoV2;
using Exemplar.Models.MobileNet;
using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.Segmentation;

/// <summary>A supervised segmentation network the zoo can build.</summary>
/// <param name="Name">What recipes and the command line call it.</param>
/// <param name="Description">One line for people.</param>
/// <param name="BackboneWeights">What <see cref="Create"/>'s backbone file is (and where it comes from), or null when it takes none.</param>
/// <param name="Create">
/// Builds it for a class count, with random weights, or with the backbone read from a pretrained file (errors name
/// the file); in training mode.
/// </param>
public sealed record SegmentationZooModel(string Name, string Description, string? BackboneWeights, Func<int, string?, SegmentationNetwork> Create)
{
    /// <summary>
    /// Parameters and multiply-accumulates of one forward pass on a <paramref name="width"/>×<paramref name="height"/>
    /// image, counted on the meta device (no memory, no arithmetic) with random-initialised weights.
    /// </summary>
    /// <param name="width">Input width (a multiple of the network's size multiple).</param>
    /// <param name="height">Input height.</param>
    /// <param name="classes">Class count the network is built for (the prediction layers depend on it).</param>
    public SegmentationComplexity MeasureComplexity(int width, int height, int classes)
    {
        using var meta = Tensor.UseDefaultDevice(Device.Meta);
        using var noGrad = LibTorch.NoGrad();
        using var network = Create(classes, null);
        network.Eval();
        using var scope = DisposeScope.Begin();
        using var counter = MacCounter.Begin();
        network.Forward(Tensor.Empty([1, 3, height, width], device: Device.Meta));
        // The parameters the forward pass uses: frozen encoders count (DINOv2 is the model), the unused classification
        // head MobileNetV2 keeps for its ImageNet file does not (TI's segmentation encoders do not have it).
        return new SegmentationComplexity(network.ParameterCount() - network.UnusedParameters().Sum(p => p.NumEl), counter.Macs, width, height, classes);
    }

    /// <summary>What inputs the network expects (normalisation, size multiple, default size), read from one built on the meta device.</summary>
    public Preprocessing InputPreprocessing()
    {
        using var meta = Tensor.UseDefaultDevice(Device.Meta);
        using var network = Create(1, null);
        return network.Preprocessing;
    }
}

/// <summary>Cost of one forward pass of a segmentation network.</summary>
/// <param name="Parameters">Parameter elements that the forward pass uses (frozen ones included).</param>
/// <param name="Macs">Multiply-accumulates for one image (convolutions, linear layers, matrix products; interpolation, normalisation and activations are not counted, as is customary).</param>
/// <param name="Width">Input width.</param>
/// <param name="Height">Input height.</param>
/// <param name="Classes">Class count.</param>
public sealed record SegmentationComplexity(long Parameters, long Macs, int Width, int Height, int Classes)
{
    /// <summary>MACs in billions.</summary>
    public double GMacs => Macs / 1e9;
}

/// <summary>One explicit table of the supervised segmentation networks.</summary>
public static class SegmentationZoo
{
    private const string OnnxMobileNetV2 = "ONNX model zoo mobilenetv2-12-int8.onnx (ImageNet, Apache-2.0), dequantised";

    /// <summary>Every network, in display order.</summary>
    public static IReadOnlyList<SegmentationZooModel> Models { get; } =
    [
        new("lraspp_mobilenetv2",
            "MobileNetV2-1.0 with a Lite R-ASPP head (strides 8 and 32), logits upsampled to the input",
            OnnxMobileNetV2,
            (classes, backbone) => InTraining(new LrAsppMobileNetV2(classes, backbone is null ? null : MobileNetV2.FromOnnx(backbone)))),
        new("fcn_resnet50",
            "torchvision fcn_resnet50: ResNet-50 dilated to stride 8 with an FCN head, logits upsampled to the input",
            "torchvision resnet50-0676ba61.pth (ImageNet, BSD-3-Clause; fc unused)",
            (classes, backbone) => InTraining(TorchvisionNetwork(ResNetSegmentationHead.Fcn, classes, backbone))),
        new("deeplabv3_resnet50",
            "torchvision deeplabv3_resnet50: ResNet-50 dilated to stride 8 with ASPP (rates 12/24/36), logits upsampled to the input",
            "torchvision resnet50-0676ba61.pth (ImageNet, BSD-3-Clause; fc unused)",
            (classes, backbone) => InTraining(TorchvisionNetwork(ResNetSegmentationHead.DeepLabV3, classes, backbone))),
        new("linear_dinov2",
            "OTX dinov2-small-seg: frozen DINOv2 ViT-S/14, its last 4 blocks concatenated, 1x1 conv + BN + 1x1 classifier",
            "facebookresearch/dinov2 dinov2_vits14_pretrain.pth or Hugging Face facebook/dinov2-small (Apache-2.0), frozen",
            (classes, backbone) => InTraining(new LinearDinoV2(classes, backbone is null ? null : DinoV2Weights.Load(backbone, DinoV2Variant.ViTS14)))),
        new("deeplabv3lite_mobilenetv2",
            "TI's DeepLabV3Lite: MobileNetV2-1.0 at output stride 16 (dilated last stage), ASPP-lite + stride-4 shortcut, depthwise-separable decoder with batch norm",
            OnnxMobileNetV2,
            (classes, backbone) => InTraining(new DeepLabV3LiteMobileNetV2(classes,
                backbone is null ? null : MobileNetV2.FromOnnx(backbone, new MobileNetV2Options(OutputStride: 16))))),
        new("unetlite_mobilenetv2",
            "TI's UNetLite: MobileNetV2-1.0, ASPP-lite at stride 32, U-Net merges down to stride 2, depthwise-separable decoder with batch norm",
            OnnxMobileNetV2,
            (classes, backbone) => InTraining(new UNetLiteMobileNetV2(classes, backbone is null ? null : MobileNetV2.FromOnnx(backbone)))),
        new("fpnlite_mobilenetv2",
            "TI's FPNLite: MobileNetV2-1.0, ASPP-lite at stride 32, in-loop FPN down to stride 4, depthwise-separable decoder with batch norm",
            OnnxMobileNetV2,
            (classes, backbone) => InTraining(new FpnLiteMobileNetV2(classes, backbone is null ? null : MobileNetV2.FromOnnx(backbone)))),
        new("fpnlite_mobilenetv2_1.4",
            "TI's FPNLite on MobileNetV2-1.4 (decoder width 360, ReLU6); random initialisation only: no ImageNet weights exist here for width 1.4",
            null,
            (classes, backbone) => InTraining(new FpnLiteMobileNetV2(classes, WideBackbone(backbone), ActivationKind.Relu6))),
    ];

    /// <summary>The network called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static SegmentationZooModel? Find(string name) =>
        Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The network called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No network has that name (the message lists the names).</exception>
    public static SegmentationZooModel Get(string name) =>
        Find(name)
        ?? throw new ArgumentException($"unknown segmentation model '{name}'; the zoo has: {string.Join(", ", Models.Select(m => m.Name))}", nameof(name));

    private static ResNetSegmentation TorchvisionNetwork(ResNetSegmentationHead head, int classes, string? backbone)
    {
        var network = new ResNetSegmentation(head, classes);
        if (backbone is null) return network;
        try
        {
            ResNetSegmentationWeights.LoadBackbone(network, backbone);
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>A random MobileNetV2-1.4; a backbone file is refused, since the only ImageNet weights here are width 1.0's.</summary>
    private static MobileNetV2 WideBackbone(string? backbone) => backbone is null
        ? new MobileNetV2(new MobileNetV2Options(WidthMultiplier: 1.4))
        : throw new ArgumentException(
            $"fpnlite_mobilenetv2_1.4 takes no backbone file ('{backbone}'): the ONNX ImageNet weights are MobileNetV2-1.0's and do not fit width 1.4; build it with random initialisation",
            nameof(backbone));

    /// <summary>Puts every submodule in training mode (a pretrained backbone is loaded in evaluation mode).</summary>
    private static SegmentationNetwork InTraining(SegmentationNetwork network)
    {
        network.Train();
        return network;
    }
}
