using Exemplar.Torch;
using Exemplar.Torch.Distributed;
using Exemplar.Torch.Serialization;
using Exemplar.Training.Optim;
using Exemplar.Training.Trainer;

namespace Exemplar.Training.Tests.Trainer;

/// <summary>
/// The toy problem trained with AdamW, accumulation and clipping, on the whole batch of 8 (one process) or on one
/// rank's half of it (data-parallel): what the data-parallel test compares.
/// </summary>
public static class DataParallelRun
{
    public const int Steps = 4;

    /// <summary>Trains and returns the classifier and body weights (rank's shard when <paramref name="group"/> is set).</summary>
    public static Dictionary<string, float[]> Train(ProcessGroup? group)
    {
        using var network = ToyNetwork.Create(11, batchNorm: false, dropout: 0);
        using var optimizer = new AdamW(ParameterGroups.SplitWeightDecay(network.NamedParameters(), 0.05), new AdamWOptions { LearningRate = 0.01 });
        var data = new ShardedData(group?.Rank ?? 0, group?.WorldSize ?? 1);
        using var trainer = new Trainer<ToyBatch>(network, optimizer, null, data, new ToyObjective(network), null,
            new TrainerOptions { Steps = Steps, AccumulationSteps = 2, GradientClipNorm = 1.0, Seed = 3 }, group: group);
        trainer.Run();
        return ToyNetwork.Snapshot(network);
    }

    /// <summary>Batches of 8 generated per (epoch, index); rank r of n reads its n-th of each.</summary>
    private sealed class ShardedData(int rank, int ranks) : ITrainingData<ToyBatch>
    {
        public int BatchesPerEpoch => 4;

        public IEnumerable<ToyBatch> ReadEpoch(int epoch, int firstBatch, CancellationToken cancellation)
        {
            int size = 8 / ranks;
            for (int b = firstBatch; b < BatchesPerEpoch; b++)
            {
                using var all = ToyData.Make(epoch, b, 8);
                yield return new ToyBatch(all.Inputs.Narrow(0, rank * size, size).Contiguous(), all.Labels.Narrow(0, rank * size, size).Contiguous());
            }
        }
    }

    /// <summary>The worker process: <c>ddp-worker RANK WORLD PORT OUT</c> trains its shard and writes its weights to OUT.</summary>
    public static int Worker(string[] args)
    {
        int rank = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        int world = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        int port = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        LibTorch.Threads = 1;
        using var group = ProcessGroup.Gloo(new DistributedOptions(rank, world) { MasterPort = port, Timeout = TimeSpan.FromSeconds(60) });
        var weights = Train(group);
        var tensors = weights.ToDictionary(kv => kv.Key, kv => Tensor.From(kv.Value, kv.Value.Length));
        SafeTensors.Save(args[4], tensors, overwrite: true);
        foreach (var t in tensors.Values) t.Dispose();
        return 0;
    }
}
