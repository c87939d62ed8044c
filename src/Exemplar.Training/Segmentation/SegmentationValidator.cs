using Exemplar.Models.Segmentation;
using Exemplar.Torch;
using Exemplar.Training.Trainer;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Metrics;

namespace Exemplar.Training.Segmentation;

/// <summary>
/// Scores a segmentation network on a data set at each image's own size: the (normalised) image is resized to the
/// nearest multiple of the network's size multiple, the logits are resized back bilinearly, and the argmax is
/// compared with the label map (ignore label excluded) in a running confusion matrix, as mmseg's whole-image test.
/// </summary>
/// <remarks>Metrics: mIoU, mDice, mAcc (mean class recall), aAcc (pixel accuracy), and IoU.{class} per class, all as fractions.</remarks>
public sealed class SegmentationValidator(SegmentationNetwork network, DataLoader loader, IReadOnlyList<string> classNames, long ignoreLabel) : IValidator
{
    /// <summary>The scores of the last validation, or null.</summary>
    public SegmentationScores? LastScores { get; private set; }

    /// <summary>The confusion matrix of the last validation, [truth, prediction] pixel counts (C × C), or null.</summary>
    public long[,]? LastConfusionMatrix { get; private set; }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Validate(CancellationToken cancellation)
    {
        var evaluator = new SegmentationEvaluator(network.ClassCount, ignoreLabel);
        int multiple = network.Preprocessing.SizeMultiple;
        foreach (var batch in loader.ReadEpoch(0, cancellation))
        {
            using (batch)
            {
                using var scope = DisposeScope.Begin();
                var logits = SegmentationPredictor.Logits(network, batch.Images, multiple);
                evaluator.Update(logits.Argmax(1), batch.Masks);
            }
        }
        var scores = evaluator.Compute();
        LastScores = scores;
        LastConfusionMatrix = evaluator.ConfusionMatrix();
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["mIoU"] = scores.MeanIoU,
            ["mDice"] = scores.MeanDice,
            ["mAcc"] = scores.MeanRecall,
            ["aAcc"] = scores.PixelAccuracy,
        };
        for (int c = 0; c < scores.IoU.Count; c++) metrics[$"IoU.{(c < classNames.Count ? classNames[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture))}"] = scores.IoU[c];
        return metrics;
    }
}
