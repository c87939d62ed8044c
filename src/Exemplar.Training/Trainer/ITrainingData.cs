using Exemplar.Training.Losses;

namespace Exemplar.Training.Trainer;

/// <summary>
/// The training batches, epoch by epoch. Reading must be deterministic: the batches of (epoch, index) are the same
/// whenever and however often they are read, so that a resumed run sees what the uninterrupted one saw.
/// </summary>
/// <typeparam name="TBatch">What one batch is (the reader disposes it after its step).</typeparam>
public interface ITrainingData<TBatch> where TBatch : IDisposable
{
    /// <summary>Batches in every epoch (on this process, when data is sharded across processes).</summary>
    int BatchesPerEpoch { get; }

    /// <summary>The batches of <paramref name="epoch"/> from index <paramref name="firstBatch"/> on.</summary>
    IEnumerable<TBatch> ReadEpoch(int epoch, int firstBatch, CancellationToken cancellation);
}

/// <summary>The training loss of a batch: a forward pass of the model in training mode and the loss on its output.</summary>
/// <typeparam name="TBatch">What one batch is.</typeparam>
public interface ITrainingObjective<in TBatch>
{
    /// <summary>The loss of <paramref name="batch"/> (a scalar that autograd can differentiate) and its logged terms.</summary>
    LossTerms Loss(TBatch batch);
}

/// <summary>Scores the model on held-out data. The trainer calls it in evaluation mode without gradients.</summary>
public interface IValidator
{
    /// <summary>Every metric by name (e.g. "mIoU", "mDice", "aAcc"); must contain the monitored one.</summary>
    IReadOnlyDictionary<string, double> Validate(CancellationToken cancellation);
}
