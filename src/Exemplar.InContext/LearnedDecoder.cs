using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.InContext;

/// <summary>
/// SegIC's "light mask decoder": a small convolutional network trained (encoder frozen) to turn the correspondence
/// evidence of <see cref="CorrespondenceDecoder.Evidence"/> at every level, together with the target's own features,
/// into mask logits. Each class is decoded on its own (classes folded into the batch), so one trained decoder serves
/// any number of classes and shots. Its output is added to the training-free logits, and its last layer starts at
/// zero: before training it is exactly the training-free decoder, and training learns a correction.
/// <para>
/// With a presence head, it also scores whether each class is in the target at all, from the decoder's pooled
/// features and mask logits, and adds that probability's logarithm to every logit of the class: the mask head is
/// trained on targets that hold the class, the presence head on every target (negative episodes among them), so the
/// mask need not learn to answer "absent" from weak evidence. Its bias starts at <see cref="InitialPresenceLogit"/>, so
/// that an untrained presence head shifts the logits by only log σ(4) ≈ −0.018.
/// </para>
/// <para>
/// With a mask prior (a propagation decoder, what video tracking runs), it also reads where each class was in the
/// previous frame: the previous mask averaged to the decoder's grid, and the same blurred over a 7x7 window, projected
/// by a 1x1 convolution (zero at initialisation, so a propagation decoder fine-tuned from a decoder file starts as
/// exactly that decoder) and added to the evidence before its ReLU; the body's dilated convolutions then weigh the
/// evidence against the distance to the object's last place (MaskTrack's idea, on frozen-encoder correspondences).
/// </para>
/// <para>
/// With a <see cref="FineLevel"/>, a <see cref="MaskRefinement"/> corrects the mask at that level's finer grid from the
/// target's own features there (the correspondences stay at the matched levels).
/// </para>
/// </summary>
public sealed class LearnedDecoder : Module
{
    /// <summary>Builds the decoder for an encoder whose levels have <paramref name="levelChannels"/> channels.</summary>
    /// <param name="levelChannels">Channels of each encoder level the segmenter matches, in order.</param>
    /// <param name="width">Channels inside the decoder.</param>
    /// <param name="presence">Whether it has a presence head.</param>
    /// <param name="prior">Whether it reads a mask prior (the previous frame's masks).</param>
    /// <param name="fine">The finer level a <see cref="MaskRefinement"/> reads, or null for none.</param>
    public LearnedDecoder(IReadOnlyList<long> levelChannels, int width = 64, bool presence = false, bool prior = false, FineLevel? fine = null)
    {
        if (levelChannels.Count == 0) throw new ArgumentException("at least one level is needed", nameof(levelChannels));
        if (width < 8 || width % 8 != 0) throw new ArgumentException($"width {width} must be a positive multiple of 8", nameof(width));
        LevelChannels = [.. levelChannels];
        Width = width;
        TargetProjections = RegisterModule("target", new ModuleList<Conv2d>(levelChannels.Select(c => new Conv2d(c, width, 1, bias: false))));
        EvidenceProjection = RegisterModule("evidence", new Conv2d(CorrespondenceDecoder.EvidenceChannels * levelChannels.Count, width, 1));
        Body = RegisterModule("body", new Sequential(
            new Conv2d(2 * width, width, 3, padding: 1, bias: false), new GroupNorm(8, width), new Activation(ActivationKind.Relu),
            new Conv2d(width, width, 3, padding: 2, dilation: 2, bias: false), new GroupNorm(8, width), new Activation(ActivationKind.Relu),
            new Conv2d(width, width, 3, padding: 4, dilation: 4, bias: false), new GroupNorm(8, width), new Activation(ActivationKind.Relu),
            new Conv2d(width, width, 3, padding: 1, bias: false), new GroupNorm(8, width), new Activation(ActivationKind.Relu)));
        Head = RegisterModule("head", new Conv2d(width, 1, 1));
        using var noGrad = LibTorch.NoGrad();
        using var w = Head.Weight.Zero_();
        using var b = Head.Bias!.Zero_();
        if (prior)
        {
            PriorProjection = RegisterModule(PriorPrefix, new Conv2d(PriorChannels, width, 1, bias: false));
            using var pw = PriorProjection.Weight.Zero_();
        }
        if (fine is not null)
        {
            if (fine.Channels < 1) throw new ArgumentException($"the fine level has {fine.Channels} channels", nameof(fine));
            Fine = fine;
            Refinement = RegisterModule(RefinementPrefix, new MaskRefinement(fine.Channels, width, prior));
        }
        if (presence)
        {
            var last = new Linear(width, 1);
            PresenceHead = RegisterModule(PresencePrefix, new Sequential(new Linear(2 * width + 2, width), new Activation(ActivationKind.Relu), last));
            using var lw = last.Weight.Zero_();
            using var lb = last.Bias!.Fill_(InitialPresenceLogit);
        }
    }

    /// <summary>The state-dict prefix of the presence head's parameters.</summary>
    public const string PresencePrefix = "presence";

    /// <summary>The state-dict prefix of the mask prior's projection.</summary>
    public const string PriorPrefix = "prior";

    /// <summary>The state-dict prefix of the refinement's parameters.</summary>
    public const string RefinementPrefix = "refine";

    /// <summary>Channels the prior is read as: the previous mask at the grid, and blurred.</summary>
    public const int PriorChannels = 2;

    /// <summary>The presence logit of an untrained presence head (σ = 0.982: "present").</summary>
    public const double InitialPresenceLogit = 4;

    /// <summary>Channels of each level it was built for.</summary>
    public IReadOnlyList<long> LevelChannels { get; }

    /// <summary>Channels inside the decoder.</summary>
    public int Width { get; }

    /// <summary>1x1 projections of the target's features, one per level.</summary>
    public ModuleList<Conv2d> TargetProjections { get; }

    /// <summary>1x1 projection of the stacked evidence of all levels.</summary>
    public Conv2d EvidenceProjection { get; }

    /// <summary>Four 3x3 convolutions (dilations 1, 2, 4, 1) with group norm and ReLU.</summary>
    public Sequential Body { get; }

    /// <summary>The 1x1 convolution to one logit per class (zero at initialisation).</summary>
    public Conv2d Head { get; }

    /// <summary>
    /// The presence head, or null: the body's features averaged and maxed over the grid, with the mask logits' mean and
    /// maximum [N, 2·width + 2] → a linear layer, ReLU, a linear layer → one presence logit per (image, class).
    /// </summary>
    public Sequential? PresenceHead { get; }

    /// <summary>
    /// The mask prior's 1x1 projection [width, 2, 1, 1] (zero at initialisation), or null for a decoder that reads no
    /// prior: <see cref="Decode"/> then takes none.
    /// </summary>
    public Conv2d? PriorProjection { get; }

    /// <summary>The finer level the refinement reads, or null: the mask stays at the matched grid.</summary>
    public FineLevel? Fine { get; }

    /// <summary>The refinement at <see cref="Fine"/>'s grid, or null.</summary>
    public MaskRefinement? Refinement { get; }

    /// <summary>log σ(presence) [B, classes], what the segmenter adds to each class's logits, computed stably (min(s, 0) − log(1 + e^−|s|)), with ops every ONNX runtime has.</summary>
    public static Tensor LogPresence(Tensor presence)
    {
        using var scope = DisposeScope.Begin();
        return (presence.Clamp(max: 0) - ((-presence.Abs()).Exp() + 1).Log()).MoveToOuterScope();
    }

    /// <summary>
    /// Mask logits at the finest matched level's grid: L2-normalised target maps [B, C_l, h_l, w_l] against the prompt
    /// levels → [B, classes, h, w], the training-free logits (scaled by <paramref name="logitScale"/>, averaged over
    /// levels) plus the learned correction; with a presence head, presence logits [B, classes] (null without one); with
    /// a <see cref="Refinement"/>, its correction [B, classes, H_f, W_f] at the grid of <paramref name="fine"/>
    /// [B, C_f, H_f, W_f] (the target's L2-normalised map at <see cref="Fine"/>), to be added to the mask logits once
    /// both are upsampled to one size (null without one).
    /// A decoder with a <see cref="PriorProjection"/> takes <paramref name="prior"/> [B, classes, H, W] in [0, 1], where
    /// each class was before (H and W the same multiple of the grids' sides, e.g. the input size); one without takes none.
    /// </summary>
    /// <exception cref="ArgumentException">A prior or fine map missing or given where none is read, or of the wrong shape.</exception>
    public (Tensor Mask, Tensor? Presence, Tensor? Refined) Decode(IReadOnlyList<Tensor> maps, IReadOnlyList<PromptLevel> prompt, int topK, double prototypeWeight, double logitScale,
        Tensor? prior = null, Tensor? fine = null)
    {
        if (maps.Count != LevelChannels.Count) throw new ArgumentException($"the decoder was trained on {LevelChannels.Count} levels, the segmenter gives {maps.Count}");
        if ((prior is null) != (PriorProjection is null))
        {
            throw new ArgumentException(PriorProjection is null
                ? "this decoder reads no mask prior (it is not a propagation decoder): pass none"
                : "this is a propagation decoder: it needs the previous frame's masks as its prior (exemplar track uses it; segment images with the bundle's decoder)");
        }
        if ((fine is null) != (Fine is null))
            throw new ArgumentException(Fine is null ? "this decoder has no refinement: pass no fine map" : $"this decoder refines at level {Fine.Level}: it needs the target's map there");
        if (fine is not null && (fine.Shape.Length != 4 || fine.Size(0) != maps[0].Size(0) || fine.Size(1) != Fine!.Channels))
            throw new ArgumentException($"the fine map is [{string.Join(", ", fine.Shape)}]; it must be [{maps[0].Size(0)}, {Fine!.Channels}, H, W]");
        using var scope = DisposeScope.Begin();
        int gridH = (int)maps.Max(m => m.Size(2)), gridW = (int)maps.Max(m => m.Size(3));
        long b = maps[0].Size(0);
        Tensor Grid(Tensor x) => x.Size(-2) == gridH && x.Size(-1) == gridW ? x : Functional.Interpolate(x, gridH, gridW, InterpolationMode.Bilinear);

        var evidence = new List<Tensor>();
        Tensor? trainingFree = null, target = null;
        for (int l = 0; l < maps.Count; l++)
        {
            var e = CorrespondenceDecoder.Evidence(maps[l], prompt[l], topK);                  // [B, classes, 6, h_l, w_l]
            long h = e.Size(3), w = e.Size(4);
            var folded = Grid(e.Reshape(-1, CorrespondenceDecoder.EvidenceChannels, h, w));     // [B·classes, 6, h, w]
            evidence.Add(folded);
            var logit = Grid(CorrespondenceDecoder.TrainingFreeLogits(e, prototypeWeight));   // [B, classes, h, w]
            trainingFree = trainingFree is null ? logit : trainingFree + logit;
            var projected = Grid(TargetProjections[l].Forward(maps[l]));                       // [B, width, h, w]
            target = target is null ? projected : target + projected;
        }
        var classes = trainingFree!;                                                           // [B, classes, h, w]
        // The target's features are the same for every class: broadcast them over the folded class axis.
        var targetPerClass = (target!.Unsqueeze(1) + Tensor.ZerosLike(classes).Unsqueeze(2)).Reshape(-1, Width, gridH, gridW);
        var evidenceFeatures = EvidenceProjection.Forward(Tensor.Cat([.. evidence], 1));         // [B·classes, width, h, w]
        if (prior is not null) evidenceFeatures += PriorProjection!.Forward(PriorFeatures(prior, b, classes.Size(1), gridH, gridW));
        var x = Tensor.Cat([Functional.Relu(evidenceFeatures), targetPerClass], 1);
        var features = Body.Forward(x);                                                         // [B·classes, width, h, w]
        var mask = classes * (logitScale / maps.Count) + Head.Forward(features).Reshape(b, -1, gridH, gridW); // [B, classes, h, w]
        var flat = mask.Reshape(-1, 1, gridH, gridW);                                            // [B·classes, 1, h, w]
        Tensor? refined = null;
        if (fine is not null)
        {
            int fineH = (int)fine.Size(2), fineW = (int)fine.Size(3);
            var fineCells = prior is null ? null : PriorCells(prior, b, classes.Size(1), fineH, fineW);
            refined = Refinement!.Forward(flat, features, fine, fineCells).Reshape(b, -1, fineH, fineW); // [B, classes, H_f, W_f]
        }
        if (PresenceHead is null) return (mask.MoveToOuterScope(), null, refined?.MoveToOuterScope());
        var pooled = Tensor.Cat([features.Mean([2, 3]), features.Amax([2, 3]), flat.Mean([2, 3]), flat.Amax([2, 3])], 1); // [B·classes, 2·width + 2]
        var presence = PresenceHead.Forward(pooled).Reshape(b, -1);                              // [B, classes]
        return (mask.MoveToOuterScope(), presence.MoveToOuterScope(), refined?.MoveToOuterScope());
    }

    /// <summary>[B, classes, H, W] prior → [B·classes, 2, h, w]: its mean over each grid cell, and that blurred by a 7x7 box.</summary>
    private static Tensor PriorFeatures(Tensor prior, long b, long classes, int gridH, int gridW)
    {
        var cells = PriorCells(prior, b, classes, gridH, gridW);                                 // [B·classes, 1, h, w]
        return Tensor.Cat([cells, Functional.AvgPool2d(cells, 7, stride: 1, padding: 3, countIncludePad: true)], 1);
    }

    /// <summary>[B, classes, H, W] prior → [B·classes, 1, h, w], its mean over each cell of an h x w grid.</summary>
    private static Tensor PriorCells(Tensor prior, long b, long classes, int gridH, int gridW)
    {
        var shape = prior.Shape;
        if (shape.Length != 4 || shape[0] != b || shape[1] != classes || shape[2] % gridH != 0 || shape[3] % gridW != 0 || shape[2] / gridH != shape[3] / gridW)
            throw new ArgumentException($"the prior is [{string.Join(", ", shape)}]; it must be [{b}, {classes}, H, W], H and W the same multiple of the grid's {gridH}x{gridW}");
        return Functional.AvgPool2d(prior.To(DType.Float32).Reshape(-1, 1, shape[2], shape[3]), (int)(shape[2] / gridH));
    }
}
