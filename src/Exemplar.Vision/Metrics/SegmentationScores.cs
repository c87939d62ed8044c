namespace Exemplar.Vision.Metrics;

/// <summary>
/// Scores of a <see cref="SegmentationEvaluator"/>, per class (indexed by class id) and averaged. Per-class values are
/// NaN when undefined: IoU and Dice for a class absent from both the predictions and the ground truth, precision for a
/// class never predicted, recall for a class absent from the ground truth. The means skip NaN entries (mmseg's
/// <c>nanmean</c>), so classes that never occur do not count; a mean is NaN only when every entry is.
/// </summary>
/// <param name="Intersection">Pixels of class c both predicted and true (true positives), summed over all updates.</param>
/// <param name="Union">Pixels predicted as c or truly c.</param>
/// <param name="PredictedArea">Pixels predicted as c.</param>
/// <param name="TargetArea">Pixels truly c.</param>
/// <param name="IoU">Σ∩ / Σ∪ per class.</param>
/// <param name="Dice">2Σ∩ / (Σpred + Σtarget) per class (the F1 score of the class).</param>
/// <param name="Precision">Σ∩ / Σpred per class.</param>
/// <param name="Recall">Σ∩ / Σtarget per class (mmseg's per-class "Acc").</param>
/// <param name="MeanIoU">Mean of the defined per-class IoUs (mIoU).</param>
/// <param name="MeanDice">Mean of the defined per-class Dice scores (mDice, mean F1).</param>
/// <param name="MeanRecall">Mean of the defined per-class recalls (mmseg's mAcc).</param>
/// <param name="PixelAccuracy">Correct pixels / all counted pixels (mmseg's aAcc); NaN when nothing was counted.</param>
public sealed record SegmentationScores(
    IReadOnlyList<long> Intersection,
    IReadOnlyList<long> Union,
    IReadOnlyList<long> PredictedArea,
    IReadOnlyList<long> TargetArea,
    IReadOnlyList<double> IoU,
    IReadOnlyList<double> Dice,
    IReadOnlyList<double> Precision,
    IReadOnlyList<double> Recall,
    double MeanIoU,
    double MeanDice,
    double MeanRecall,
    double PixelAccuracy)
{
    /// <summary>Mean of the finite values, or NaN when there are none.</summary>
    internal static double NanMean(IReadOnlyList<double> values)
    {
        double sum = 0;
        int count = 0;
        foreach (double v in values)
        {
            if (double.IsNaN(v)) continue;
            sum += v;
            count++;
        }
        return count == 0 ? double.NaN : sum / count;
    }

    /// <summary>a / b, or NaN when b is 0.</summary>
    internal static double Ratio(double a, double b) => b == 0 ? double.NaN : a / b;
}
