using Exemplar.Models.ResNet;
using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.Segmentation;

/// <summary>Which head a <see cref="ResNetSegmentation"/> has.</summary>
public enum ResNetSegmentationHead
{
    /// <summary>torchvision's <c>fcn_resnet50</c>: <see cref="TorchvisionHeads.Fcn"/>.</summary>
    Fcn,

    /// <summary>torchvision's <c>deeplabv3_resnet50</c>: <see cref="TorchvisionHeads.DeepLab"/>.</summary>
    DeepLabV3,
}

/// <summary>
/// torchvision's <c>fcn_resnet50</c> and <c>deeplabv3_resnet50</c> (its <c>_SimpleSegmentationModel</c>): a ResNet-50
/// with layer3 and layer4 dilated (output stride 8, no <c>fc</c>), a head on layer4 (2048 channels) and optionally an
/// auxiliary FCN head on layer3 (1024 channels), logits upsampled bilinearly to the input. The state-dict keys are
/// torchvision's (<c>backbone.*</c>, <c>classifier.*</c>, <c>aux_classifier.*</c>), so its checkpoints load strictly.
/// </summary>
public sealed class ResNetSegmentation : SegmentationNetwork
{
    /// <summary>Builds the network with torchvision's initialisation (random weights).</summary>
    /// <param name="head">Which head.</param>
    /// <param name="classCount">Output classes (at least 1).</param>
    /// <param name="auxiliary">Whether to add the auxiliary classifier (torchvision's <c>aux_loss</c>; its COCO checkpoints have it).</param>
    /// <param name="variant">The ResNet (torchvision's models: ResNet-50; ResNet-101 also exists there).</param>
    public ResNetSegmentation(ResNetSegmentationHead head, int classCount, bool auxiliary = false, ResNetVariant? variant = null)
    {
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "a segmentation network needs at least one class");
        Head = head;
        ClassCount = classCount;
        Backbone = RegisterModule("backbone", new ResNetEncoder(variant ?? ResNetVariant.ResNet50, classes: 0, replaceStrideWithDilation: [false, true, true]));
        Classifier = RegisterModule("classifier", head == ResNetSegmentationHead.Fcn ? TorchvisionHeads.Fcn(2048, classCount) : TorchvisionHeads.DeepLab(2048, classCount));
        AuxClassifier = auxiliary ? RegisterModule("aux_classifier", TorchvisionHeads.Fcn(1024, classCount)) : null;
    }

    /// <summary>Which head.</summary>
    public ResNetSegmentationHead Head { get; }

    /// <summary>The dilated ResNet (strides 4, 8, 8, 8), without its ImageNet classifier.</summary>
    public ResNetEncoder Backbone { get; }

    /// <summary>The head on layer4.</summary>
    public Sequential Classifier { get; }

    /// <summary>The auxiliary FCN head on layer3, or null.</summary>
    public Sequential? AuxClassifier { get; }

    /// <inheritdoc/>
    public override int ClassCount { get; }

    /// <summary>ImageNet normalisation; any size works, multiples of 8 keep the stride-8 grid exact; torchvision evaluates at 520.</summary>
    public override Preprocessing Preprocessing { get; } = Preprocessing.ImageNet(8, 520);

    /// <summary>Logits: normalised image [N, 3, H, W] → [N, classes, H, W] (the main head only).</summary>
    public override Tensor Forward(Tensor input)
    {
        CheckImage(input);
        using var scope = DisposeScope.Begin();
        var layer4 = Backbone.ForwardFeatures(input).Features;
        return Upsampled(Classifier.Forward(layer4), input).MoveToOuterScope();
    }

    /// <summary>
    /// torchvision's training output: the main logits and the auxiliary head's, both [N, classes, H, W] (torchvision's
    /// references weigh the auxiliary loss by 0.5).
    /// </summary>
    /// <exception cref="InvalidOperationException">The network has no auxiliary classifier.</exception>
    public (Tensor Out, Tensor Aux) ForwardWithAuxiliary(Tensor input)
    {
        if (AuxClassifier is null) throw new InvalidOperationException("this network was built without its auxiliary classifier");
        CheckImage(input);
        using var scope = DisposeScope.Begin();
        var maps = Backbone.ForwardIntermediates(input, [2, 3]);
        var aux = Upsampled(AuxClassifier.Forward(maps[0].Features), input);
        var output = Upsampled(Classifier.Forward(maps[1].Features), input);
        return (output.MoveToOuterScope(), aux.MoveToOuterScope());
    }

    private static Tensor Upsampled(Tensor logits, Tensor input) =>
        Functional.Interpolate(logits, (int)input.Size(2), (int)input.Size(3), InterpolationMode.Bilinear);
}
