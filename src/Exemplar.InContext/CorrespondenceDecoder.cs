using Exemplar.Torch;

namespace Exemplar.InContext;

/// <summary>
/// The correspondence stage shared by both decoders: each target cell against the example cells by cosine similarity.
/// Evidence for a class is the mean of the top-k similarities to cells inside that class's masks and the best one
/// (GF-SAM's mean and max), the same over background cells, and the similarity to masked-average prototypes (PANet's
/// foreground and background prototypes). All examples are pooled into one set of cells (SegGPT's feature ensemble),
/// so more shots simply give more cells to match. Written with tensor operations only (no element reads, no per-class
/// loop), so the same code runs eagerly and exports to ONNX with the number of examples and classes left dynamic.
/// </summary>
internal static class CorrespondenceDecoder
{
    /// <summary>Evidence channels per class and level: top-k mean, max and prototype similarity, each for the class and for the background.</summary>
    public const int EvidenceChannels = 6;

    /// <summary>
    /// The training-free decoder's class logits at one level: target [B, C, h, w] (L2-normalised over C) against the
    /// prompt level → [B, classes, h, w]; positive means "more like the class than like the background": the class's
    /// top-k mean plus <paramref name="prototypeWeight"/> times its prototype similarity, minus the same for the background.
    /// </summary>
    public static Tensor Score(Tensor target, PromptLevel prompt, int topK, double prototypeWeight)
    {
        using var scope = DisposeScope.Begin();
        return TrainingFreeLogits(Evidence(target, prompt, topK), prototypeWeight).MoveToOuterScope();
    }

    /// <summary>The training-free logits from evidence [B, classes, 6, h, w] → [B, classes, h, w] (see <see cref="Score"/>).</summary>
    public static Tensor TrainingFreeLogits(Tensor evidence, double prototypeWeight)
    {
        using var scope = DisposeScope.Begin();
        var logits = evidence.Select(2, 0) + evidence.Select(2, 4) * prototypeWeight - evidence.Select(2, 1) - evidence.Select(2, 5) * prototypeWeight;
        return logits.MoveToOuterScope();
    }

    /// <summary>
    /// Evidence at one level: target [B, C, h, w] (L2-normalised over C) against the prompt level →
    /// [B, classes, 6, h, w]: class top-k mean, background top-k mean, class max, background max, class prototype,
    /// background prototype similarity. A class's background is every labelled cell outside that class's masks, other
    /// classes' cells included (one class against the rest, as the trained decoder learns it from one-class episodes):
    /// a target cell that looks like another class counts against this one.
    /// </summary>
    public static Tensor Evidence(Tensor target, PromptLevel prompt, int topK)
    {
        using var scope = DisposeScope.Begin();
        long b = target.Size(0), c = target.Size(1), h = target.Size(2), w = target.Size(3);
        var support = prompt.Features.Transpose(0, 1).Reshape(c, -1);                           // [C, Q]
        var coverage = prompt.Foreground.Transpose(0, 1).Flatten(1);                            // [classes, Q]
        var valid = prompt.Valid.Reshape(-1);                                                  // [Q]
        var background = (valid.Unsqueeze(0) - coverage).Clamp(min: 0);                       // [classes, Q]
        var weights = Tensor.Cat([coverage, background]);                                      // [2·classes, Q]: classes, then their backgrounds
        var queries = target.Flatten(2).Transpose(1, 2);                                       // [B, P, C]
        var similarity = queries.Matmul(support);                                              // [B, P, Q]

        var (dense, best) = TopKMean(similarity, weights, topK);                               // [B, 2·classes, P] each
        var prototypes = Functional.Normalize(support.Matmul(weights.Transpose(0, 1)) / weights.Sum([1]).Clamp(min: 1e-6), dim: 0); // [C, 2·classes]
        var prototype = queries.Matmul(prototypes).Transpose(1, 2);                            // [B, 2·classes, P]
        // [B, 2·classes, P] → [B, classes, 2, P]: (class, its background); a reshape keeps the class count dynamic in ONNX.
        Tensor Pair(Tensor rows) => rows.Reshape(b, 2, -1, h * w).Transpose(1, 2);
        var evidence = Tensor.Cat([Pair(dense), Pair(best), Pair(prototype)], 2);              // [B, classes, 6, P]
        return evidence.Reshape(b, -1, EvidenceChannels, h, w).MoveToOuterScope();
    }

    /// <summary>
    /// For each weight row [R, Q], the mean and the largest of the k largest similarities [B, P, Q] over the cells whose
    /// weight is at least one half; when no cell is (a region smaller than a cell), over the best-covered cells; 0 for
    /// an empty row → ([B, R, P], [B, R, P]).
    /// </summary>
    private static (Tensor Mean, Tensor Max) TopKMean(Tensor similarity, Tensor weights, int topK)
    {
        using var scope = DisposeScope.Begin();
        var strict = weights.Ge(0.5);                                                          // [R, Q]
        var best = weights.Amax([1], keepDim: true);                                           // [R, 1]
        var fallback = weights.Ge(best * 0.999).LogicalAnd(best.Gt(0));
        var inside = Tensor.Where(strict.Any(1, keepDim: true), strict, fallback);             // [R, Q]
        var count = inside.Sum([1]).Clamp(max: topK).To(DType.Float32).Clamp(min: 1);          // [R]
        var masked = similarity.Unsqueeze(1).MaskedFill(inside.LogicalNot().Unsqueeze(1), double.NegativeInfinity); // [B, R, P, Q]
        var (values, _) = masked.Topk(topK, dim: -1);                                          // [B, R, P, k]
        var finite = values.MaskedFill(values.IsInf(), 0);                                     // only the cells that exist
        var mean = finite.Sum([3]) / count.Reshape(1, -1, 1);
        return (mean.MoveToOuterScope(), finite.Select(3, 0).MoveToOuterScope());
    }
}
