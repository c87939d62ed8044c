using Exemplar.Torch.Nn;

namespace Exemplar.Models.Segmentation;

/// <summary>torchvision's segmentation heads, as Sequentials so that their state-dict keys are torchvision's.</summary>
public static class TorchvisionHeads
{
    /// <summary>
    /// torchvision's <c>DeepLabHead</c>: <see cref="Aspp"/> (rates 12, 24, 36, 256 channels), 3x3 convolution, batch
    /// norm, ReLU, 1x1 classifier: [N, in, h, w] → [N, classes, h, w].
    /// </summary>
    public static Sequential DeepLab(long inChannels, int classCount) => new(
        new Aspp(inChannels, [12, 24, 36], 256),
        new Conv2d(256, 256, 3, padding: 1, bias: false),
        new BatchNorm2d(256),
        new Activation(ActivationKind.Relu),
        new Conv2d(256, classCount, 1));

    /// <summary>
    /// torchvision's <c>FCNHead</c>: 3x3 convolution to in/4 channels, batch norm, ReLU, dropout 0.1, 1x1 classifier:
    /// [N, in, h, w] → [N, classes, h, w]. Also the auxiliary classifier of both torchvision models (on layer3).
    /// </summary>
    public static Sequential Fcn(long inChannels, int classCount)
    {
        long inner = inChannels / 4;
        return new(
            new Conv2d(inChannels, inner, 3, padding: 1, bias: false),
            new BatchNorm2d(inner),
            new Activation(ActivationKind.Relu),
            new Dropout(0.1),
            new Conv2d(inner, classCount, 1));
    }
}
