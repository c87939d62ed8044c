using Exemplar.Models.Segmentation;
using Exemplar.Torch;
using Exemplar.Training.Losses;
using Exemplar.Training.Trainer;
using Exemplar.Vision.Datasets;

namespace Exemplar.Training.Segmentation;

/// <summary>The supervised segmentation loss: the network's logits on the batch's (normalised) images against its label maps.</summary>
public sealed class SegmentationObjective(SegmentationNetwork network, SegmentationLoss loss) : ITrainingObjective<SegmentationBatch>
{
    /// <summary>The network.</summary>
    public SegmentationNetwork Network { get; } = network;

    /// <summary>The loss.</summary>
    public SegmentationLoss LossFunction { get; } = loss;

    /// <summary>Loss of a batch: images [B, 3, H, W] float32 (normalised by the pipeline), masks [B, H, W] int64.</summary>
    /// <exception cref="ArgumentException">The images are not float32 (the pipeline must normalise them).</exception>
    public LossTerms Loss(SegmentationBatch batch)
    {
        if (batch.Images.DType != DType.Float32)
            throw new ArgumentException($"training images must be normalised float32 (end the pipeline with Normalize), got {batch.Images.DType}", nameof(batch));
        using var scope = DisposeScope.Begin();
        var logits = Network.Forward(batch.Images);
        // Under bfloat16 autocast the logits come out in bfloat16; the loss is taken in float32, as torch.autocast does for cross-entropy.
        if (logits.DType != DType.Float32) logits = logits.To(DType.Float32);
        var terms = LossFunction.Compute(logits, batch.Masks);
        terms.Total.MoveToOuterScope();
        return terms;
    }
}
