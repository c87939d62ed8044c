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
    /// Counts parameters and multiply-accumulates of one forward pass (one image <paramref name="width"/> x
    /// <paramref name="height"/>, <paramref name="classes"/> classes) by building the network with random weights on
    /// the meta device: exact counts, no memory. Sides must suit the network (see its preprocessing's size multiple).
    /// </summary>
    public SegmentationComplexity MeasureComplexity(int width, int height, int classes)
    {
        using var meta = Tensor.UseDefaultDevice(Device.Meta);
        using var noGrad = LibTorch.NoGrad();
        using var network = Create(classes, null);
        network.Eval();
        using var scope = DisposeScope.Begin();
        using var counter = MacCounter.Begin();
        network.Forward(Tensor.Empty([1, 3, height, width], device: Device.Meta));
        return new SegmentationComplexity(network.ParameterCount(), counter.Macs, width, height, classes);
    }

    /// <summary>What inputs the network expects (normalisation, size multiple, default size), read from one built on the meta device.</summary>
    public Preprocessing InputPreprocessing()
    {
        using var meta = Tensor.UseDefaultDevice(Device.Meta);
        using var network = Create(1, null);
        return network.Preprocessing;
    }
}

/// <summary>Parameters and multiply-accumulates of one forward pass of a segmentation network.</summary>
/// <param name="Parameters">Parameter elements (frozen ones included).</param>
/// <param name="Macs">Multiply-accumulates for one image (convolutions, linear layers, matrix products).</param>
/// <param name="Width">Input width used.</param>
/// <param name="Height">Input height used.</param>
/// <param name="Classes">Class count used.</param>
public sealed record SegmentationComplexity(long Parameters, long Macs, int Width, int Height, int Classes)
{
    /// <summary>MACs in billions.</summary>
    public double GMacs => Macs / 1e9;
}

/// <summary>One explicit table of the supervised segmentation networks.</summary>
public static class SegmentationZoo
{
    /// <summary>Every network, in display order.</summary>
    public static IReadOnlyList<SegmentationZooModel> Models { get; } =
    [
        new("lraspp_mobilenetv2",
            "MobileNetV2-1.0 with a Lite R-ASPP head (strides 8 and 32), logits upsampled to the input",
            "ONNX model zoo mobilenetv2-12-int8.onnx (ImageNet, Apache-2.0), dequantised",
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
    ];

    /// <summary>The network called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No network has that name (the message lists the names).</exception>
    public static SegmentationZooModel Get(string name) =>
        Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
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

    /// <summary>Puts every submodule in training mode (a pretrained backbone is loaded in evaluation mode).</summary>
    private static SegmentationNetwork InTraining(SegmentationNetwork network)
    {
        network.Train();
        return network;
    }
}
