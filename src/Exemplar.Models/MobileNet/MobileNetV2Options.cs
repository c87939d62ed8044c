namespace Exemplar.Models.MobileNet;

/// <summary>How to build a <see cref="MobileNetV2"/> (width 1.0, torchvision's layer table).</summary>
/// <param name="NumClasses">Classifier outputs (1000 for ImageNet).</param>
/// <param name="DropoutRate">Dropout before the classifier in training mode (torchvision: 0.2).</param>
public sealed record MobileNetV2Options(int NumClasses = 1000, double DropoutRate = 0.2);
