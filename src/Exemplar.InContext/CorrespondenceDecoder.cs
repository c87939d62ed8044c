using Exemplar.Torch;

namespace Exemplar.InContext;

/// <summary>
/// The training-free decoder: scores each target cell for each class from its dense cosine correspondence with the
/// example cells. Evidence for a class is the mean of the top-k similarities to cells inside that class's masks, minus
/// the same over background cells, plus the same contrast with masked-average prototypes (PANet's foreground and
/// background prototypes). All examples are pooled into one set of cells (SegGPT's feature ensemble), so more shots
/// simply give more cells to match.
/// </summary>
internal static class CorrespondenceDecoder
{
    /// <summary>
    /// Class logits at one level: target [B, C, h, w] (L2-normalised over C) against the prompt level → [B, classes, h, w];
    /// positive means "more like the class than like the background".
    /// </summary>
    public static Tensor Score(Tensor target, PromptLevel prompt, int topK, double prototypeWeight)
    {
        using var scope = DisposeScope.Begin();
        long b = target.Size(0), c = target.Size(1), h = target.Size(2), w = target.Size(3);
        long classes = prompt.Foreground.Size(1);
        var support = prompt.Features.Permute(1, 0, 2, 3).Reshape(c, -1);                      // [C, Q]
        var coverage = prompt.Foreground.Permute(1, 0, 2, 3).Reshape(classes, -1);             // [classes, Q]
        var valid = prompt.Valid.Reshape(-1);                                                 // [Q]
        var background = (valid - coverage.Sum(0)).Clamp(min: 0);                             // [Q]
        var queries = target.Flatten(2).Transpose(1, 2);                                      // [B, P, C]
        var similarity = queries.Matmul(support);                                             // [B, P, Q]

        var backgroundEvidence = TopKMean(similarity, background, topK);
        var backgroundPrototype = PrototypeSimilarity(queries, support, background);
        var logits = new Tensor[classes];
        for (int k = 0; k < classes; k++)
        {
            var cover = coverage.Select(0, k);
            var dense = TopKMean(similarity, cover, topK) - backgroundEvidence;
            var prototype = PrototypeSimilarity(queries, support, cover) - backgroundPrototype;
            logits[k] = dense + prototype * prototypeWeight;                                   // [B, P]
        }
        return Tensor.Stack(logits, 1).Reshape(b, classes, h, w).MoveToOuterScope();
    }

    /// <summary>
    /// Mean of the k largest similarities [B, P, Q] over the cells whose weight is at least one half; when no cell is
    /// (a region smaller than a cell), the best-covered cells are used instead.
    /// </summary>
    private static Tensor TopKMean(Tensor similarity, Tensor weight, int topK)
    {
        using var scope = DisposeScope.Begin();
        var inside = weight.Ge(0.5);
        long count = inside.Sum().Item<long>();
        if (count == 0)
        {
            double best = weight.Max().ToDouble();
            if (best <= 0) return Tensor.Zeros([similarity.Size(0), similarity.Size(1)], similarity.DType).MoveToOuterScope();
            inside = weight.Ge(best * 0.999);
            count = inside.Sum().Item<long>();
        }
        var masked = similarity.MaskedFill(inside.LogicalNot(), double.NegativeInfinity);
        var (values, _) = masked.Topk(Math.Min(topK, count), dim: -1);
        return values.Mean(-1).MoveToOuterScope();                                             // [B, P]
    }

    /// <summary>Cosine similarity of each query [B, P, C] to the coverage-weighted mean of the support cells [C, Q].</summary>
    private static Tensor PrototypeSimilarity(Tensor queries, Tensor support, Tensor weight)
    {
        using var scope = DisposeScope.Begin();
        var prototype = support.Matmul(weight.Unsqueeze(1)) / (weight.Sum().Clamp(min: 1e-6));  // [C, 1]
        var unit = Functional.Normalize(prototype, dim: 0);
        return queries.Matmul(unit).Squeeze(-1).MoveToOuterScope();                           // [B, P]
    }
}
