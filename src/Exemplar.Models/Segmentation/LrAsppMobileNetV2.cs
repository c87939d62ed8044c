using Exemplar.Models.MobileNet;
using Exemplar.Torch;

namespace Exemplar.Models.Segmentation;

/// <summary>
/// MobileNetV2 with an <see cref="LrAsppHead"/>: the shallow map is block 6 (32 channels, stride 8), the deep one
/// block 17 (320 channels, stride 32; the 1280-channel last convolution and the classifier are not used). Logits are
/// upsampled bilinearly from stride 8 to the input size. A light head for fast training and edge inference.
/// </summary>
public sealed class LrAsppMobileNetV2 : SegmentationNetwork
{
    private const int LowLevel = 6;
    private const int HighLevel = 17;

    /// <summary>Builds the network with random weights, or around <paramref name="backbone"/> (e.g. ImageNet weights from <see cref="MobileNetV2.FromOnnx(string)"/>).</summary>
    /// <param name="classCount">Output classes (at least 1).</param>
    /// <param name="backbone">The encoder to use, which the network takes over (disposes); null builds a random one.</param>
    public LrAsppMobileNetV2(int classCount, MobileNetV2? backbone = null)
    {
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "a segmentation network needs at least one class");
        ClassCount = classCount;
        Backbone = RegisterModule("backbone", backbone ?? new MobileNetV2());
        Backbone.FreezeClassificationHead();
        Head = RegisterModule("head", new LrAsppHead(Backbone.LevelChannels[LowLevel], Backbone.LevelChannels[HighLevel], classCount));
    }

    /// <summary>The MobileNetV2 encoder (<c>features.18</c> and the classifier are unused, hence frozen).</summary>
    public MobileNetV2 Backbone { get; }

    /// <inheritdoc/>
    public override IEnumerable<Tensor> UnusedParameters() => Backbone.ClassificationHeadParameters();

    /// <summary>The LR-ASPP head.</summary>
    public LrAsppHead Head { get; }

    /// <inheritdoc/>
    public override int ClassCount { get; }

    /// <inheritdoc/>
    public override Preprocessing Preprocessing => MobileNetV2.DefaultPreprocessing;

    /// <summary>Logits: normalised image [N, 3, H, W] (H, W multiples of 32) → [N, classes, H, W].</summary>
    public override Tensor Forward(Tensor input)
    {
        CheckImage(input);
        using var scope = DisposeScope.Begin();
        var maps = Backbone.ForwardIntermediates(input, [LowLevel, HighLevel]);
        var logits = Head.Forward(maps[0].Features, maps[1].Features);
        return Functional.Interpolate(logits, (int)input.Size(2), (int)input.Size(3), InterpolationMode.Bilinear).MoveToOuterScope();
    }
}
