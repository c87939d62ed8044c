using Exemplar.Torch;

namespace Exemplar.Vision.Metrics;

/// <summary>
/// Running confusion matrix for multi-class label maps (mmseg style: accumulate over a whole dataset, then compute):
/// entry [t, p] counts pixels of true class t predicted as p. Pixels whose target is the ignore index are skipped.
/// Totals are summed over pixels of all updates, so mIoU is Σ∩/Σ∪ per class over the dataset, not a mean of
/// per-image IoUs. See <see cref="SegmentationScores"/> for how undefined (NaN) values are handled.
/// </summary>
public sealed class SegmentationEvaluator
{
    private readonly long[] _counts;

    /// <summary>An empty evaluator for classes 0..<paramref name="classCount"/>−1.</summary>
    /// <param name="classCount">Number of classes K (labels 0..K−1).</param>
    /// <param name="ignoreIndex">Target label to skip (mmseg's 255 by default), or null for none.</param>
    public SegmentationEvaluator(int classCount, long? ignoreIndex = 255)
    {
        if (classCount < 1 || classCount > 4096) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "the number of classes must be in 1..4096 (the K x K matrix is held in memory)");
        if (ignoreIndex is { } ignore && ignore >= 0 && ignore < classCount)
        {
            throw new ArgumentException($"SegmentationEvaluator: the ignore index {ignore} is one of the classes 0..{classCount - 1}", nameof(ignoreIndex));
        }
        ClassCount = classCount;
        IgnoreIndex = ignoreIndex;
        _counts = new long[(long)classCount * classCount];
    }

    /// <summary>Number of classes K.</summary>
    public int ClassCount { get; }

    /// <summary>The target label that is skipped, or null.</summary>
    public long? IgnoreIndex { get; }

    /// <summary>Pixels counted so far (ignored ones excluded).</summary>
    public long PixelCount { get; private set; }

    /// <summary>Pixels of true class <paramref name="target"/> predicted as <paramref name="prediction"/>.</summary>
    public long this[int target, int prediction] => _counts[Index(target, prediction)];

    /// <summary>A copy of the K x K confusion matrix (rows: target class, columns: predicted class).</summary>
    public long[,] ConfusionMatrix()
    {
        var matrix = new long[ClassCount, ClassCount];
        for (int t = 0; t < ClassCount; t++)
        {
            for (int p = 0; p < ClassCount; p++) matrix[t, p] = _counts[(long)t * ClassCount + p];
        }
        return matrix;
    }

    /// <summary>Adds the pixels of label maps of any shape (e.g. [H, W] or a batch [N, H, W]); integer or bool dtypes.</summary>
    /// <exception cref="ArgumentException">Shapes differ, or a label is out of range (the message says where).</exception>
    public void Update(Tensor prediction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        LabelMaps.CheckSameShape(prediction, target, nameof(prediction), nameof(target));
        Update(LabelMaps.ToLongs(prediction, nameof(prediction)), LabelMaps.ToLongs(target, nameof(target)));
    }

    /// <summary>Adds flattened label maps of equal length.</summary>
    public void Update(ReadOnlySpan<long> prediction, ReadOnlySpan<long> target)
    {
        if (prediction.Length != target.Length) throw new ArgumentException($"SegmentationEvaluator: {prediction.Length} predictions for {target.Length} targets");
        int k = ClassCount;
        long ignore = IgnoreIndex ?? long.MinValue;
        bool hasIgnore = IgnoreIndex.HasValue;
        // Validate first, so that a bad map leaves the totals untouched.
        long counted = 0;
        for (int i = 0; i < target.Length; i++)
        {
            long t = target[i];
            if (hasIgnore && t == ignore) continue;
            if ((ulong)t >= (ulong)k) throw new ArgumentException($"SegmentationEvaluator: target label {t} at element {i} is outside 0..{k - 1} and is not the ignore index{(hasIgnore ? $" {ignore}" : " (none set)")}");
            long p = prediction[i];
            if ((ulong)p >= (ulong)k) throw new ArgumentException($"SegmentationEvaluator: predicted label {p} at element {i} is outside 0..{k - 1}");
            counted++;
        }
        for (int i = 0; i < target.Length; i++)
        {
            long t = target[i];
            if (hasIgnore && t == ignore) continue;
            _counts[t * k + prediction[i]]++;
        }
        PixelCount += counted;
    }

    /// <summary>Adds another evaluator's counts (e.g. from another worker); both must have the same classes and ignore index.</summary>
    public void Merge(SegmentationEvaluator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.ClassCount != ClassCount || other.IgnoreIndex != IgnoreIndex) throw new ArgumentException("SegmentationEvaluator.Merge: the evaluators have different classes or ignore indices", nameof(other));
        for (int i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        PixelCount += other.PixelCount;
    }

    /// <summary>Clears the totals.</summary>
    public void Reset()
    {
        Array.Clear(_counts);
        PixelCount = 0;
    }

    /// <summary>Computes the scores from the totals so far.</summary>
    public SegmentationScores Compute()
    {
        int k = ClassCount;
        var inter = new long[k];
        var predicted = new long[k];
        var truth = new long[k];
        long correct = 0;
        for (int t = 0; t < k; t++)
        {
            for (int p = 0; p < k; p++)
            {
                long n = _counts[(long)t * k + p];
                truth[t] += n;
                predicted[p] += n;
            }
            inter[t] = _counts[(long)t * k + t];
            correct += inter[t];
        }
        var union = new long[k];
        var iou = new double[k];
        var dice = new double[k];
        var precision = new double[k];
        var recall = new double[k];
        for (int c = 0; c < k; c++)
        {
            union[c] = predicted[c] + truth[c] - inter[c];
            iou[c] = SegmentationScores.Ratio(inter[c], union[c]);
            dice[c] = SegmentationScores.Ratio(2.0 * inter[c], predicted[c] + truth[c]);
            precision[c] = SegmentationScores.Ratio(inter[c], predicted[c]);
            recall[c] = SegmentationScores.Ratio(inter[c], truth[c]);
        }
        return new SegmentationScores(inter, union, predicted, truth, iou, dice, precision, recall,
            SegmentationScores.NanMean(iou), SegmentationScores.NanMean(dice), SegmentationScores.NanMean(recall),
            SegmentationScores.Ratio(correct, PixelCount));
    }

    private long Index(int target, int prediction)
    {
        if ((uint)target >= (uint)ClassCount || (uint)prediction >= (uint)ClassCount)
        {
            throw new ArgumentOutOfRangeException(nameof(target), $"classes are 0..{ClassCount - 1}, got [{target}, {prediction}]");
        }
        return (long)target * ClassCount + prediction;
    }
}
