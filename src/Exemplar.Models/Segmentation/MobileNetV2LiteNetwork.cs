using Exemplar.Models.MobileNet;
using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.Segmentation;

/// <summary>
/// What TI's lite segmentation models (DeepLabV3Lite, UNetLite, FPNLite) share: a BN-folded MobileNetV2 encoder whose
/// <c>features.18</c> and classifier are not used (TI's segmentation encoders omit them; here they are frozen so that
/// the ImageNet file still maps), a decoder with batch norm that reads some of its levels and predicts logits at a
/// stride of 2 or 4, and a bilinear upsampling of the logits to the input size.
/// </summary>
public abstract class MobileNetV2LiteNetwork : SegmentationNetwork
{
    /// <summary>Takes over <paramref name="backbone"/> (or builds a random one with <paramref name="options"/>) and checks the class count.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than one class.</exception>
    protected MobileNetV2LiteNetwork(int classCount, MobileNetV2? backbone, MobileNetV2Options options)
    {
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "a segmentation network needs at least one class");
        ClassCount = classCount;
        Backbone = RegisterModule("backbone", backbone ?? new MobileNetV2(options));
        Backbone.FreezeClassificationHead();
    }

    /// <summary>The MobileNetV2 encoder (BN folded; <c>features.18</c> and the classifier frozen and unused).</summary>
    public MobileNetV2 Backbone { get; }

    /// <inheritdoc/>
    public override IEnumerable<Tensor> UnusedParameters() => Backbone.ClassificationHeadParameters();

    /// <inheritdoc/>
    public override int ClassCount { get; }

    /// <inheritdoc/>
    public override Preprocessing Preprocessing => MobileNetV2.DefaultPreprocessing;

    /// <summary>The encoder levels the decoder reads, shallow to deep.</summary>
    protected abstract IReadOnlyList<int> Taps { get; }

    /// <summary>Logits at the decoder's stride from the tapped maps (in <see cref="Taps"/> order).</summary>
    protected abstract Tensor Decode(IReadOnlyList<Tensor> maps);

    /// <summary>Logits: normalised image [N, 3, H, W] (H, W multiples of 32) → [N, classes, H, W].</summary>
    public override Tensor Forward(Tensor input)
    {
        CheckImage(input);
        using var scope = DisposeScope.Begin();
        var maps = Backbone.ForwardIntermediates(input, Taps).Select(m => m.Features).ToList();
        var logits = Decode(maps);
        return Functional.Interpolate(logits, (int)input.Size(2), (int)input.Size(3), InterpolationMode.Bilinear).MoveToOuterScope();
    }

    /// <summary>Bilinear resize of <paramref name="x"/> to the height and width of <paramref name="like"/> (the decoders' ×2 or ×4 upsampling).</summary>
    protected static Tensor UpsampleTo(Tensor x, Tensor like) =>
        Functional.Interpolate(x, (int)like.Size(2), (int)like.Size(3), InterpolationMode.Bilinear);

    /// <summary>The backbone's channels at a tapped level.</summary>
    protected static long ChannelsAt(MobileNetV2 backbone, int level) => backbone.LevelChannels[level];
}
