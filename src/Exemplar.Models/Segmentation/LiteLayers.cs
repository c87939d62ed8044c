using Exemplar.Torch.Nn;

namespace Exemplar.Models.Segmentation;

/// <summary>
/// The convolution blocks of TI's lite decoders (edgeai-torchvision's pixel2pixel models). Unlike the BN-folded
/// MobileNetV2 encoder they keep batch norm, trainable, as TI's decoders do: convolutions have no bias and are
/// followed by <see cref="BatchNorm2d"/>, so that a decoder trained from scratch is normalised.
/// </summary>
internal static class LiteLayers
{
    /// <summary>
    /// k×k convolution (padding keeps the size), batch norm, then the activation if any: [N, in, H, W] → [N, out, H, W].
    /// </summary>
    public static Sequential ConvNormAct(long inChannels, long outChannels, int kernelSize, ActivationKind? activation, int dilation = 1, int groups = 1)
    {
        var block = new Sequential(
            new Conv2d(inChannels, outChannels, kernelSize, padding: (kernelSize - 1) / 2 * dilation, dilation: dilation, groups: groups, bias: false),
            new BatchNorm2d(outChannels));
        if (activation is { } kind) block.Append(new Activation(kind));
        return block;
    }

    /// <summary>
    /// Depthwise-separable 3×3 convolution: depthwise (optionally dilated) + batch norm + activation, then pointwise +
    /// batch norm + activation: [N, in, H, W] → [N, out, H, W]. About 1/9 of a dense 3×3 convolution's MACs, which is
    /// what makes the decoders "lite".
    /// </summary>
    public static Sequential DepthwiseSeparable(long inChannels, long outChannels, ActivationKind activation, int dilation = 1) =>
        new(ConvNormAct(inChannels, inChannels, 3, activation, dilation, groups: (int)inChannels),
            ConvNormAct(inChannels, outChannels, 1, activation));

    /// <summary>
    /// The class predictor: depthwise 3×3 + batch norm, then a pointwise convolution to the logits with neither bias,
    /// batch norm nor activation (as TI's prediction block): [N, in, H, W] → [N, classes, H, W].
    /// </summary>
    public static Sequential Prediction(long inChannels, int classCount) =>
        new(ConvNormAct(inChannels, inChannels, 3, activation: null, groups: (int)inChannels),
            new Conv2d(inChannels, classCount, 1, bias: false));
}
