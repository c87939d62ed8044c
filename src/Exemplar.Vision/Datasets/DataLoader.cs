using Exemplar.Torch;
using Exemplar.Vision.Transforms;

namespace Exemplar.Vision.Datasets;

/// <summary>
/// Reads a data set in batches, decoding ahead on background threads: seeded shuffling, an optional per-sample
/// transform, and collation into [B, 3, H, W] images and [B, H, W] label maps. Batches come in epoch order whatever
/// the threads do; a failing item surfaces as <see cref="DataLoaderException"/> naming its files when its batch is
/// reached; stopping early, cancelling or failing frees every tensor decoded ahead.
/// </summary>
/// <example><code>
/// var loader = new DataLoader(new CamVidDataset(root), new DataLoaderOptions { BatchSize = 8, Shuffle = true, Seed = 1 });
/// foreach (var batch in loader.ReadEpoch(epoch))
/// {
///     using (batch) Train(batch.Images, batch.Masks);
/// }
/// </code></example>
public sealed class DataLoader
{
    /// <summary>A loader of <paramref name="dataset"/> with <paramref name="options"/> (default: batches of 1, in order, 2 workers).</summary>
    public DataLoader(ISegmentationDataset dataset, DataLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        Options = options ?? new DataLoaderOptions();
        Options.Validate();
        Dataset = dataset;
    }

    /// <summary>The data set.</summary>
    public ISegmentationDataset Dataset { get; }

    /// <summary>The options.</summary>
    public DataLoaderOptions Options { get; }

    /// <summary>Items this loader reads per epoch: the data set's, or this process's share of it (<see cref="DataLoaderOptions.Shard"/>).</summary>
    public int ItemsPerEpoch => Options.Shard is { } shard ? (Dataset.Count + shard.Count - 1) / shard.Count : Dataset.Count;

    /// <summary>Batches per epoch.</summary>
    public int BatchCount => Options.DropLast ? ItemsPerEpoch / Options.BatchSize : (ItemsPerEpoch + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>
    /// The item order of an epoch: 0..Count-1, or with <see cref="DataLoaderOptions.Shuffle"/> NumPy's
    /// <c>RandomState(s).permutation(Count)</c> where s is the low 32 bits of <see cref="Mix"/>(Seed, epoch) — the same
    /// on every machine.
    /// </summary>
    /// <remarks>
    /// With a <see cref="DataLoaderOptions.Shard"/>, as torch's DistributedSampler: the epoch's order is padded with
    /// its own first items to a multiple of the shard count, and shard r takes positions r, r + count, r + 2·count, ….
    /// </remarks>
    public int[] EpochOrder(int epoch)
    {
        var order = Options.Shuffle
            ? new NumpyRandomState((uint)Mix((ulong)(long)Options.Seed, (ulong)(long)epoch)).Permutation(Dataset.Count)
            : Enumerable.Range(0, Dataset.Count).ToArray();
        if (Options.Shard is not { } shard) return order;
        var mine = new int[ItemsPerEpoch];
        for (int i = 0; i < mine.Length; i++) mine[i] = order[(shard.Rank + i * shard.Count) % order.Length];
        return mine;
    }

    /// <summary>
    /// The seed of the <see cref="Random"/> the transform gets for item <paramref name="index"/> in
    /// <paramref name="epoch"/>: the low 31 bits of <see cref="Mix"/>(Seed, epoch, index).
    /// </summary>
    public int SampleSeed(int epoch, int index) => (int)(Mix((ulong)(long)Options.Seed, (ulong)(long)epoch, (ulong)(long)index) & 0x7FFFFFFF);

    /// <summary>
    /// Hashes values into one 64-bit number: h = SplitMix64(v₀), then h = SplitMix64(h ^ vᵢ) for each further value
    /// (SplitMix64 as in Steele, Lea and Flood, OOPSLA 2014).
    /// </summary>
    public static ulong Mix(params ulong[] values)
    {
        ulong h = 0;
        for (int i = 0; i < values.Length; i++) h = SplitMix64(i == 0 ? values[0] : h ^ values[i]);
        return h;
    }

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/>, in order. Each batch belongs to the reader (dispose it). Leaving
    /// the loop early, or cancelling <paramref name="cancellation"/>, stops the workers and frees what they decoded ahead.
    /// </summary>
    /// <exception cref="DataLoaderException">An item could not be loaded or transformed, or samples of different sizes met in a batch.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled.</exception>
    public IEnumerable<SegmentationBatch> ReadEpoch(int epoch, CancellationToken cancellation = default) => ReadEpoch(epoch, 0, cancellation);

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/> from batch <paramref name="firstBatch"/> on: the same batches
    /// that a full read of the epoch gives at those positions (what resuming a training run needs).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="firstBatch"/> is not in [0, <see cref="BatchCount"/>].</exception>
    public IEnumerable<SegmentationBatch> ReadEpoch(int epoch, int firstBatch, CancellationToken cancellation = default)
    {
        if (firstBatch < 0 || firstBatch > BatchCount) throw new ArgumentOutOfRangeException(nameof(firstBatch), firstBatch, $"an epoch has batches 0 to {BatchCount - 1}");
        var order = EpochOrder(epoch);
        var batches = new int[BatchCount - firstBatch][];
        for (int b = 0; b < batches.Length; b++)
        {
            int start = (firstBatch + b) * Options.BatchSize;
            batches[b] = order[start..Math.Min(start + Options.BatchSize, order.Length)];
        }
        return Read(epoch, firstBatch, batches, cancellation);
    }

    private IEnumerable<SegmentationBatch> Read(int epoch, int firstBatch, int[][] batches, CancellationToken cancellation)
    {
        if (Options.Workers == 0)
        {
            for (int b = 0; b < batches.Length; b++)
            {
                cancellation.ThrowIfCancellationRequested();
                yield return BuildBatch(epoch, firstBatch + b, batches[b], cancellation);
            }
            yield break;
        }
        using var run = new DataLoaderRun(this, epoch, firstBatch, batches, cancellation);
        for (int b = 0; b < batches.Length; b++) yield return run.Take(b);
    }

    /// <summary>Loads, transforms and stacks the samples of one batch.</summary>
    internal SegmentationBatch BuildBatch(int epoch, int batchIndex, int[] indices, CancellationToken cancellation)
    {
        var samples = new List<SegmentationSample>(indices.Length);
        try
        {
            foreach (int index in indices)
            {
                cancellation.ThrowIfCancellationRequested();
                samples.Add(LoadSample(epoch, index));
            }
            return Collate(epoch, batchIndex, indices, samples);
        }
        finally
        {
            foreach (var s in samples) s.Dispose();
        }
    }

    private SegmentationSample LoadSample(int epoch, int index)
    {
        var item = Dataset.Items[index];
        try
        {
            var sample = Dataset.Load(index);
            if (Options.Transform is null) return sample;
            using (sample)
            {
                return Options.Transform.Apply(sample, new Random(SampleSeed(epoch, index)));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            string files = item.MaskPath is null ? item.ImagePath : $"{item.ImagePath}, {item.MaskPath}";
            throw new DataLoaderException($"{Dataset.Name}: item {index} '{item.Id}' ({files}) failed: {e.Message}", index, item, e);
        }
    }

    private SegmentationBatch Collate(int epoch, int batchIndex, int[] indices, List<SegmentationSample> samples)
    {
        var first = samples[0];
        for (int i = 1; i < samples.Count; i++)
        {
            var s = samples[i];
            if (s.Height != first.Height || s.Width != first.Width || s.Image.DType != first.Image.DType)
            {
                var a = Dataset.Items[indices[0]];
                var b = Dataset.Items[indices[i]];
                throw new DataLoaderException(
                    $"{Dataset.Name}: cannot stack '{b.Id}' ({b.ImagePath}, {s.Width}x{s.Height} {s.Image.DType}) with '{a.Id}' ({first.Width}x{first.Height} {first.Image.DType}) in one batch: " +
                    "use a transform that brings every sample to one size, or BatchSize = 1", indices[i], b, null);
            }
        }
        using var scope = DisposeScope.Begin();
        var images = Tensor.Stack(samples.Select(s => s.Image).ToArray());
        var masks = Tensor.Stack(samples.Select(s => s.Mask).ToArray());
        if (masks.DType != DType.Int64) masks = masks.To(DType.Int64);
        images.DetachFromScope();
        masks.DetachFromScope();
        return new SegmentationBatch(images, masks, indices, indices.Select(i => Dataset.Items[i]).ToArray(), epoch, batchIndex);
    }

    private static ulong SplitMix64(ulong x)
    {
        unchecked
        {
            ulong z = x + 0x9E3779B97F4A7C15ul;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ul;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBul;
            return z ^ (z >> 31);
        }
    }
}
