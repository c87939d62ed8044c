using Exemplar.Models.MobileNet;

namespace Exemplar.Models.Segmentation;

/// <summary>A supervised segmentation network the zoo can build.</summary>
/// <param name="Name">What recipes and the command line call it.</param>
/// <param name="Description">One line for people.</param>
/// <param name="BackboneWeights">What <see cref="Create"/>'s backbone file is (and where it comes from), or null when it takes none.</param>
/// <param name="Create">
/// Builds it for a class count, with random weights, or with the backbone read from a pretrained file (errors name
/// the file); in training mode.
/// </param>
public sealed record SegmentationZooModel(string Name, string Description, string? BackboneWeights, Func<int, string?, SegmentationNetwork> Create);

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
    ];

    /// <summary>The network called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No network has that name (the message lists the names).</exception>
    public static SegmentationZooModel Get(string name) =>
        Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown segmentation model '{name}'; the zoo has: {string.Join(", ", Models.Select(m => m.Name))}", nameof(name));

    /// <summary>Puts every submodule in training mode (a pretrained backbone is loaded in evaluation mode).</summary>
    private static SegmentationNetwork InTraining(SegmentationNetwork network)
    {
        network.Train();
        return network;
    }
}
