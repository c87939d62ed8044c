namespace Exemplar.Models.MobileNet;

/// <summary>How to build a <see cref="MobileNetV2"/> (torchvision's layer table).</summary>
/// <param name="NumClasses">Classifier outputs (1000 for ImageNet).</param>
/// <param name="DropoutRate">Dropout before the classifier in training mode (torchvision: 0.2).</param>
/// <param name="WidthMultiplier">
/// Scales every layer's channels, rounded as torchvision does (to the nearest multiple of 8, never more than 10% below
/// the scaled width); the last convolution keeps at least 1280 channels. 1.0 is the standard network, the only width
/// with ImageNet weights here.
/// </param>
/// <param name="OutputStride">
/// 32, or 16 for dense prediction: the last stride-2 block (<c>features.14</c>) then keeps the resolution and the
/// depthwise convolutions after it are dilated by 2, so that their receptive field matches the stride-32 network's
/// (weights are interchangeable between the two). TI's MobileNetV2 code that we could read (edgeai-tensorlab's
/// MobileNetV2Lite) only sets that block's stride to 1; the dilation follows DeepLab and torchvision's
/// replace_stride_with_dilation, and changes neither the weights nor the MACs.
/// </param>
public sealed record MobileNetV2Options(int NumClasses = 1000, double DropoutRate = 0.2, double WidthMultiplier = 1.0, int OutputStride = 32);
