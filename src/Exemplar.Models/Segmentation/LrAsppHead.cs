using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.Segmentation;

/// <summary>
/// The Lite Reduced ASPP head of Howard et al., "Searching for MobileNetV3" (2019), laid out as torchvision's
/// <c>LRASPPHead</c> (cbr, scale, low_classifier, high_classifier): the deep map goes through a 1x1 convolution, batch
/// norm and ReLU, gated by a squeeze-and-excitation-like global branch (average pool, 1x1 convolution, sigmoid), is
/// upsampled bilinearly to the shallow map, and the two are classified by 1x1 convolutions and added.
/// </summary>
public sealed class LrAsppHead : Module
{
    /// <summary>Builds the head with PyTorch's default initialisation.</summary>
    /// <param name="lowChannels">Channels of the shallow map (stride 8).</param>
    /// <param name="highChannels">Channels of the deep map (stride 16 or 32).</param>
    /// <param name="classCount">Output classes.</param>
    /// <param name="innerChannels">Width of the gated deep branch (torchvision: 128).</param>
    public LrAsppHead(long lowChannels, long highChannels, int classCount, long innerChannels = 128)
    {
        Cbr = RegisterModule("cbr", new Sequential(
            new Conv2d(highChannels, innerChannels, 1, bias: false),
            new BatchNorm2d(innerChannels),
            new Activation(ActivationKind.Relu)));
        Scale = RegisterModule("scale", new Conv2d(highChannels, innerChannels, 1, bias: false));
        LowClassifier = RegisterModule("low_classifier", new Conv2d(lowChannels, classCount, 1));
        HighClassifier = RegisterModule("high_classifier", new Conv2d(innerChannels, classCount, 1));
    }

    /// <summary>1x1 convolution, batch norm, ReLU on the deep map.</summary>
    public Sequential Cbr { get; }

    /// <summary>The global gate's 1x1 convolution (applied to the pooled deep map, then a sigmoid).</summary>
    public Conv2d Scale { get; }

    /// <summary>Classifies the shallow map.</summary>
    public Conv2d LowClassifier { get; }

    /// <summary>Classifies the gated deep branch.</summary>
    public Conv2d HighClassifier { get; }

    /// <summary>Logits at the shallow map's resolution: low [N, Cl, h, w], high [N, Ch, h', w'] → [N, classes, h, w].</summary>
    public Tensor Forward(Tensor low, Tensor high)
    {
        using var scope = DisposeScope.Begin();
        var x = Cbr.Forward(high);
        var gate = Functional.Sigmoid(Scale.Forward(Functional.AdaptiveAvgPool2d(high, 1, 1)));
        x *= gate;
        x = Functional.Interpolate(x, (int)low.Size(2), (int)low.Size(3), InterpolationMode.Bilinear);
        return (LowClassifier.Forward(low) + HighClassifier.Forward(x)).MoveToOuterScope();
    }
}
