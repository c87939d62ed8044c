using Exemplar.Vision.Transforms;

namespace Exemplar.Vision.Datasets;

/// <summary>Options of <see cref="DataLoader"/>.</summary>
public sealed record DataLoaderOptions
{
    /// <summary>Samples per batch (default 1).</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>Visit the items in a seeded random order that changes with the epoch (default false: data set order).</summary>
    public bool Shuffle { get; init; }

    /// <summary>The seed of the shuffling and of the per-sample transform randomness (default 0).</summary>
    public int Seed { get; init; }

    /// <summary>Background decoding threads (default 2); 0 decodes on the reading thread.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Batches decoded ahead and not yet read, at most (default 4): bounds the memory the loader holds.</summary>
    public int Prefetch { get; init; } = 4;

    /// <summary>Leave out the last batch when it has fewer than <see cref="BatchSize"/> samples (default false).</summary>
    public bool DropLast { get; init; }

    /// <summary>
    /// A transform applied to each sample before batching, or null. It gets a <see cref="Random"/> seeded from
    /// (<see cref="Seed"/>, epoch, item index) (see <see cref="DataLoader.SampleSeed"/>), so its draws do not depend
    /// on which worker runs it or when. It must be safe to call from several threads at once.
    /// </summary>
    public ISegmentationTransform? Transform { get; init; }

    /// <summary>
    /// This process's share of the data when several train together (rank r of n reads every n-th item of the epoch's
    /// order, as torch's DistributedSampler), or null to read everything.
    /// </summary>
    public DataShard? Shard { get; init; }

    internal void Validate()
    {
        if (Shard is { } shard && (shard.Count < 1 || shard.Rank < 0 || shard.Rank >= shard.Count))
            throw new ArgumentException($"DataLoaderOptions.Shard: rank {shard.Rank} of {shard.Count} is not a shard (need 0 ≤ rank < count)");
        if (BatchSize < 1) throw new ArgumentException($"DataLoaderOptions.BatchSize must be at least 1, got {BatchSize}");
        if (Workers < 0) throw new ArgumentException($"DataLoaderOptions.Workers must be 0 or more, got {Workers}");
        if (Prefetch < 1) throw new ArgumentException($"DataLoaderOptions.Prefetch must be at least 1, got {Prefetch}");
    }
}

/// <summary>Shard <paramref name="Rank"/> of <paramref name="Count"/> of every epoch (a process's part in data-parallel training).</summary>
public sealed record DataShard(int Rank, int Count);
