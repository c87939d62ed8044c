using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.InContext;

/// <summary>
/// The encoder level a <see cref="MaskRefinement"/> reads: a finer one than the levels the segmenter matches (for
/// MobileNetV2, block 6 at stride 8), used for the target only, never matched against examples.
/// </summary>
/// <param name="Level">The encoder level (as <see cref="Exemplar.Models.IImageEncoder.ForwardIntermediates"/> numbers them).</param>
/// <param name="Channels">Its channels.</param>
public sealed record FineLevel(int Level, long Channels);

/// <summary>
/// A learned decoder's refinement at a finer grid (twice the matched grid's sides for MobileNetV2's stride-8 block
/// against its stride-16 levels): the matched grid bounds how well a mask can follow an object's outline (on DAVIS-2016
/// val the true masks averaged to stride-16 cells and upsampled score J 75.0, at stride 8 84.2). From the coarse mask's
/// probability and the decoder's features upsampled, the target's own fine features, and (for a propagation decoder)
/// the previous mask averaged to the fine grid, two 3x3 convolutions give a correction to the upsampled coarse logits.
/// Its last layer starts at zero, so a decoder fine-tuned with a refinement added starts as exactly the decoder it was.
/// </summary>
public sealed class MaskRefinement : Module
{
    /// <summary>Channels inside the refinement.</summary>
    public const int Width = 32;

    /// <summary>Builds the refinement.</summary>
    /// <param name="fineChannels">Channels of the fine level.</param>
    /// <param name="decoderWidth">Channels of the decoder's features.</param>
    /// <param name="prior">Whether it reads the previous mask (a propagation decoder's).</param>
    public MaskRefinement(long fineChannels, int decoderWidth, bool prior)
    {
        ReadsPrior = prior;
        FineProjection = RegisterModule("fine", new Conv2d(fineChannels, Width, 1, bias: false));
        FeatureProjection = RegisterModule("features", new Conv2d(decoderWidth, Width, 1, bias: false));
        Body = RegisterModule("body", new Sequential(
            new Conv2d(2 * Width + 1 + (prior ? 1 : 0), Width, 3, padding: 1, bias: false), new GroupNorm(8, Width), new Activation(ActivationKind.Relu),
            new Conv2d(Width, Width, 3, padding: 1, bias: false), new GroupNorm(8, Width), new Activation(ActivationKind.Relu)));
        Head = RegisterModule("head", new Conv2d(Width, 1, 1));
        using var noGrad = LibTorch.NoGrad();
        using var w = Head.Weight.Zero_();
        using var b = Head.Bias!.Zero_();
    }

    /// <summary>Whether it reads the previous mask.</summary>
    public bool ReadsPrior { get; }

    /// <summary>1x1 projection of the target's fine features.</summary>
    public Conv2d FineProjection { get; }

    /// <summary>1x1 projection of the decoder's features (before they are upsampled).</summary>
    public Conv2d FeatureProjection { get; }

    /// <summary>Two 3x3 convolutions with group norm and ReLU.</summary>
    public Sequential Body { get; }

    /// <summary>The 1x1 convolution to the correction (zero at initialisation).</summary>
    public Conv2d Head { get; }

    /// <summary>
    /// The correction [B·classes, 1, H, W] at the fine grid to the coarse logits upsampled to it: from
    /// <paramref name="mask"/> [B·classes, 1, h, w] coarse logits, <paramref name="features"/> [B·classes, width, h, w]
    /// the decoder's features, <paramref name="fine"/> [B, C_f, H, W] the target's L2-normalised fine features (the
    /// same for each class), and <paramref name="priorCells"/> [B·classes, 1, H, W] the
    /// previous mask averaged to the fine grid (exactly when <see cref="ReadsPrior"/>).
    /// </summary>
    public Tensor Forward(Tensor mask, Tensor features, Tensor fine, Tensor? priorCells)
    {
        if ((priorCells is null) == ReadsPrior) throw new ArgumentException(ReadsPrior ? "this refinement reads the previous mask: pass it" : "this refinement reads no previous mask");
        using var scope = DisposeScope.Begin();
        int h = (int)fine.Size(2), w = (int)fine.Size(3);
        long b = fine.Size(0);
        var target = FineProjection.Forward(fine);                                              // [B, 32, H, W]
        // The class axis from a tensor that has it (not a constant), so that a traced graph keeps classes dynamic.
        var classAxis = Tensor.ZerosLike(mask.Reshape(b, -1, 1, mask.Size(2), mask.Size(3)).Narrow(3, 0, 1).Narrow(4, 0, 1)); // [B, classes, 1, 1, 1]
        var perClass = (target.Unsqueeze(1) + classAxis).Reshape(-1, Width, h, w);               // [B·classes, 32, H, W]
        var upFeatures = Functional.Interpolate(FeatureProjection.Forward(features), h, w, InterpolationMode.Bilinear);
        var upMask = Functional.Sigmoid(Functional.Interpolate(mask, h, w, InterpolationMode.Bilinear));
        Tensor[] parts = priorCells is null ? [upFeatures, perClass, upMask] : [upFeatures, perClass, upMask, priorCells];
        return Head.Forward(Body.Forward(Tensor.Cat(parts, 1))).MoveToOuterScope();
    }
}
