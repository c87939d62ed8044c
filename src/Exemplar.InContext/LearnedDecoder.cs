using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.InContext;

/// <summary>
/// SegIC's "light mask decoder": a small convolutional network trained (encoder frozen) to turn the correspondence
/// evidence of <see cref="CorrespondenceDecoder.Evidence"/> at every level, together with the target's own features,
/// into mask logits. Each class is decoded on its own (classes folded into the batch), so one trained decoder serves
/// any number of classes and shots. Its output is added to the training-free logits, and its last layer starts at
/// zero: before training it is exactly the training-free decoder, and training learns a correction.
/// </summary>
public sealed class LearnedDecoder : Module
{
    /// <summary>Builds the decoder for an encoder whose levels have <paramref name="levelChannels"/> channels.</summary>
    /// <param name="levelChannels">Channels of each encoder level the segmenter matches, in order.</param>
    /// <param name="width">Channels inside the decoder.</param>
    public LearnedDecoder(IReadOnlyList<long> levelChannels, int width = 64)
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
    }

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
    /// Class logits at the finest level's grid: L2-normalised target maps [B, C_l, h_l, w_l] against the prompt
    /// levels → [B, classes, h, w], the training-free logits (scaled by <paramref name="logitScale"/>, averaged over
    /// levels) plus the learned correction.
    /// </summary>
    public Tensor Forward(IReadOnlyList<Tensor> maps, IReadOnlyList<PromptLevel> prompt, int topK, double prototypeWeight, double logitScale)
    {
        if (maps.Count != LevelChannels.Count) throw new ArgumentException($"the decoder was trained on {LevelChannels.Count} levels, the segmenter gives {maps.Count}");
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
        var x = Tensor.Cat([Functional.Relu(EvidenceProjection.Forward(Tensor.Cat([.. evidence], 1))), targetPerClass], 1);
        var correction = Head.Forward(Body.Forward(x)).Reshape(b, -1, gridH, gridW);           // [B, classes, h, w]
        return (classes * (logitScale / maps.Count) + correction).MoveToOuterScope();
    }
}
