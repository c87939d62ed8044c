using Exemplar.Training.Trainer;
using Exemplar.Vision.Datasets;

namespace Exemplar.Training.Segmentation;

/// <summary>Training batches from a <see cref="DataLoader"/>, whose seeding per (seed, epoch, item) makes every epoch's batches reproducible.</summary>
public sealed class SegmentationTrainingData(DataLoader loader) : ITrainingData<SegmentationBatch>
{
    /// <summary>The loader.</summary>
    public DataLoader Loader { get; } = loader;

    /// <inheritdoc/>
    public int BatchesPerEpoch => Loader.BatchCount;

    /// <inheritdoc/>
    public IEnumerable<SegmentationBatch> ReadEpoch(int epoch, int firstBatch, CancellationToken cancellation) =>
        Loader.ReadEpoch(epoch, firstBatch, cancellation);
}
