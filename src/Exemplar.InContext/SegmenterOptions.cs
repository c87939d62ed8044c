using Exemplar.Models;
using Exemplar.Models.DinoV2;
using Exemplar.Models.MobileNet;
using Exemplar.Models.ResNet;

namespace Exemplar.InContext;

/// <summary>How the training-free correspondence segmenter works; <see cref="For"/> gives good defaults per encoder.</summary>
public sealed record SegmenterOptions
{
    /// <summary>Images (examples and targets) are resized so the longest side is this, then padded square.</summary>
    public int InputSize { get; init; } = 512;

    /// <summary>Encoder levels whose features are matched (see <see cref="IImageEncoder.ForwardIntermediates"/>).</summary>
    public IReadOnlyList<int> Levels { get; init; } = [-1];

    /// <summary>How many best-matching example cells are averaged as the evidence for a target cell.</summary>
    public int TopK { get; init; } = 5;

    /// <summary>
    /// Weight of the masked-average-prototype evidence relative to the dense top-k evidence (0.5 measured best with
    /// MobileNetV2 on DAVIS and PerSeg: dense matching alone leaks onto similar background, prototypes alone blur).
    /// </summary>
    public double PrototypeWeight { get; init; } = 0.5;

    /// <summary>
    /// Scale from cosine-similarity differences to logits. With the default threshold of 0.5 (logit 0) it changes only
    /// the reported probabilities, not the masks.
    /// </summary>
    public double LogitScale { get; init; } = 10.0;

    /// <summary>Guided-filter radius in input pixels (0 turns the edge-aware upsampling off).</summary>
    public int GuidedRadius { get; init; } = 16;

    /// <summary>Guided-filter regularisation: larger smooths more and follows image edges less.</summary>
    public double GuidedEps { get; init; } = 1e-3;

    /// <summary>
    /// 1: the exact guided filter; s &gt; 1: the fast guided filter, coefficients fitted at 1/s of the input size
    /// (s² times less work; the input size must be a multiple of s).
    /// </summary>
    public int GuidedSubsample { get; init; } = 1;

    /// <summary>Probability above which a pixel belongs to its best class (otherwise it is background).</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>Targets run through the encoder together (bounds memory when segmenting many targets at once).</summary>
    public int BatchSize { get; init; } = 4;

    /// <summary>Checks the values are usable.</summary>
    public void Validate(IImageEncoder encoder)
    {
        int multiple = encoder.Preprocessing.SizeMultiple;
        if (InputSize <= 0 || InputSize % multiple != 0) throw new ArgumentException($"InputSize {InputSize} must be a positive multiple of {multiple} for this encoder");
        if (Levels.Count == 0) throw new ArgumentException("at least one encoder level is needed");
        if (TopK < 1) throw new ArgumentException("TopK must be at least 1");
        if (Threshold is <= 0 or >= 1) throw new ArgumentException("Threshold must be in (0, 1)");
        if (LogitScale <= 0) throw new ArgumentException("LogitScale must be positive");
        if (GuidedRadius < 0 || GuidedEps <= 0) throw new ArgumentException("GuidedRadius must be at least 0 and GuidedEps positive");
        if (GuidedSubsample < 1 || InputSize % GuidedSubsample != 0) throw new ArgumentException($"GuidedSubsample {GuidedSubsample} must be at least 1 and divide InputSize {InputSize}");
        if (BatchSize < 1) throw new ArgumentException("BatchSize must be at least 1");
        if (PrototypeWeight < 0) throw new ArgumentException("PrototypeWeight must not be negative");
    }

    /// <summary>
    /// Defaults for an encoder: mid and high levels (MobileNetV2 blocks at strides 16 and 32, ResNet layer2–layer4,
    /// DINOv2's last four blocks), at an input size the encoder divides.
    /// </summary>
    public static SegmenterOptions For(IImageEncoder encoder) => encoder switch
    {
        MobileNetV2 => new SegmenterOptions { InputSize = 512, Levels = [10, 13, 16, 17], GuidedSubsample = 4 },
        ResNetEncoder => new SegmenterOptions { InputSize = 512, Levels = [1, 2, 3] },
        DinoVisionTransformer => new SegmenterOptions { InputSize = 448, Levels = [-4, -3, -2, -1], GuidedRadius = 14 },
        _ => new SegmenterOptions { InputSize = RoundUp(512, encoder.Preprocessing.SizeMultiple) },
    };

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
