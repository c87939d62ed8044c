using Exemplar.Torch;

namespace Exemplar.InContext.Tuning;

/// <summary>
/// The first step of in-context tuning: one constant per class added to the target's logits, chosen on the encoded
/// prompt's own leave-one-out predictions (before the feature steps, which then learn with it). A decoder trained on
/// many data sets is calibrated for their average; on a user's data its logits often sit too high or too low
/// (blowholes on magnetic tiles come out too wide), and a class's offset moves its decision boundary to where the
/// examples themselves say it belongs.
/// </summary>
internal static class LogitOffsetSearch
{
    /// <summary>Spacing of the candidate offsets.</summary>
    internal const double Step = 0.25;

    /// <summary>
    /// Charged per unit of offset against the pooled IoU, so that flat stretches (where several offsets score alike)
    /// go to the smallest: an offset must earn its place.
    /// </summary>
    internal const double Penalty = 0.002;

    /// <summary>
    /// Per class, the offset b from −<paramref name="maxOffset"/> to <paramref name="maxOffset"/> (steps of
    /// <see cref="Step"/>) that maximises the IoU of (logits + b &gt; logit(threshold)) with the masks, pooled over the
    /// labelled pixels of every target (intersections and unions summed before dividing), less
    /// <see cref="Penalty"/>·|b|. A class with no foreground and no prediction at any offset keeps 0.
    /// </summary>
    /// <param name="targets">Per target: logits [1, classes, S, S], masks [1, classes, S, S] in {0, 1}, labelled [1, 1, S, S] in [0, 1] (only pixels above 0.5 count).</param>
    /// <param name="threshold">The segmenter's probability threshold.</param>
    /// <param name="maxOffset">The widest offset tried (0: all offsets are 0).</param>
    /// <returns>One offset per class.</returns>
    internal static float[] Choose(IReadOnlyList<(Tensor Logits, Tensor Masks, Tensor Labelled)> targets, double threshold, double maxOffset)
    {
        ArgumentOutOfRangeException.ThrowIfZero(targets.Count);
        int classes = (int)targets[0].Logits.Size(1);
        var offsets = new float[classes];
        if (maxOffset <= 0) return offsets;
        using var noGrad = LibTorch.NoGrad();
        using var scope = DisposeScope.Begin();
        double boundary = Math.Log(threshold / (1 - threshold));
        var logits = Tensor.Cat([.. targets.Select(t => t.Logits.To(DType.Float32))], 0);     // [N, classes, S, S]
        var labelled = Tensor.Cat([.. targets.Select(t => t.Labelled.Gt(0.5))], 0);           // [N, 1, S, S]
        var masks = Tensor.Cat([.. targets.Select(t => t.Masks.Gt(0.5))], 0) & labelled;      // [N, classes, S, S]
        var foreground = masks.Sum([0, 2, 3], dtype: DType.Float64).ToArray<double>();
        var best = Enumerable.Repeat(double.NegativeInfinity, classes).ToArray();
        int steps = (int)Math.Floor(maxOffset / Step + 1e-9);
        // Smallest |b| first, so that an exact tie keeps the smaller offset.
        foreach (double b in Enumerable.Range(-steps, 2 * steps + 1).Select(i => i * Step).OrderBy(Math.Abs))
        {
            using var stepScope = DisposeScope.Begin();
            var predicted = (logits + b).Gt(boundary) & labelled;
            var intersection = (predicted & masks).Sum([0, 2, 3], dtype: DType.Float64).ToArray<double>();
            var count = predicted.Sum([0, 2, 3], dtype: DType.Float64).ToArray<double>();
            for (int c = 0; c < classes; c++)
            {
                double union = foreground[c] + count[c] - intersection[c];
                if (union == 0) continue; // no foreground and nothing predicted at this offset: nothing to score
                double score = intersection[c] / union - Penalty * Math.Abs(b);
                if (score > best[c])
                {
                    best[c] = score;
                    offsets[c] = (float)b;
                }
            }
        }
        return offsets;
    }
}
