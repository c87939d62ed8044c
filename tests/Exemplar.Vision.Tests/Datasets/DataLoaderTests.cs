using System.Collections.Concurrent;
using Exemplar.Torch;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Transforms;

namespace Exemplar.Vision.Tests.Datasets;

public class DataLoaderTests
{
    /// <summary>Item i: image [3, H, W] filled with i, mask filled with i; item <see cref="FailAt"/> fails as a corrupt file would.</summary>
    private sealed class NumberedDataset(int count, Func<int, (int H, int W)>? size = null) : ISegmentationDataset
    {
        private int _loads;

        public int FailAt { get; init; } = -1;

        public int Loads => Volatile.Read(ref _loads);

        public string Name => "numbers";

        public string Root => "/numbers";

        public int Count => count;

        public IReadOnlyList<DatasetClass> Classes { get; } = [new(0, "zero")];

        public long IgnoreLabel => 255;

        public IReadOnlyList<DatasetItem> Items { get; } =
            Enumerable.Range(0, count).Select(i => new DatasetItem($"n{i}", $"/numbers/{i}.jpg", $"/numbers/{i}.png")).ToArray();

        public SegmentationSample Load(int index)
        {
            Interlocked.Increment(ref _loads);
            if (index == FailAt) throw new ImageFormatException(Items[index].ImagePath, "truncated JPEG");
            var (h, w) = size?.Invoke(index) ?? (2, 3);
            return new SegmentationSample(Tensor.Full([3, h, w], index, DType.UInt8), LoadLabelMap(index));
        }

        public Tensor LoadLabelMap(int index)
        {
            var (h, w) = size?.Invoke(index) ?? (2, 3);
            return Tensor.Full([h, w], index, DType.Int64);
        }
    }

    /// <summary>Writes one draw of its Random into the mask, so the test can see which seed each sample got.</summary>
    private sealed class DrawIntoMask : ISegmentationTransform
    {
        public SegmentationSample Apply(SegmentationSample sample, Random random) =>
            sample.With(sample.Image.Alias(), Tensor.Full([sample.Height, sample.Width], random.Next(1000), DType.Int64));
    }

    private static long Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return Tensor.LiveCount;
    }

    private static List<int> ReadAll(DataLoader loader, int epoch, List<long[]>? shapes = null)
    {
        var indices = new List<int>();
        foreach (var batch in loader.ReadEpoch(epoch))
        {
            using (batch)
            {
                shapes?.Add(batch.Images.Shape);
                indices.AddRange(batch.Indices);
                var values = batch.Images.ToArray<byte>();
                int per = values.Length / batch.Count;
                for (int b = 0; b < batch.Count; b++) Assert.All(values[(b * per)..((b + 1) * per)], v => Assert.Equal((byte)batch.Indices[b], v));
                Assert.Equal(DType.Int64, batch.Masks.DType);
            }
        }
        return indices;
    }

    [Fact]
    public void BatchesComeInOrderAndStack()
    {
        long before = Settled();
        var dataset = new NumberedDataset(7);
        var shapes = new List<long[]>();
        var loader = new DataLoader(dataset, new DataLoaderOptions { BatchSize = 3, Workers = 3 });
        Assert.Equal(3, loader.BatchCount);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], ReadAll(loader, 0, shapes));
        Assert.Equal([[3, 3, 2, 3], [3, 3, 2, 3], [1, 3, 2, 3]], shapes);
        var dropLast = new DataLoader(dataset, new DataLoaderOptions { BatchSize = 3, DropLast = true });
        Assert.Equal(2, dropLast.BatchCount);
        Assert.Equal([0, 1, 2, 3, 4, 5], ReadAll(dropLast, 0));
        Assert.Equal(before, Settled());
    }

    [Fact]
    public void ShuffleIsSeededPerEpochAndIndependentOfWorkers()
    {
        var dataset = new NumberedDataset(10);
        var loader = new DataLoader(dataset, new DataLoaderOptions { Shuffle = true, BatchSize = 4, Workers = 3 });
        // NumPy: RandomState(low 32 bits of Mix(0, epoch)).permutation(10), Mix(0, 0) = ...1293516399, Mix(0, 1) = ...3365057806.
        Assert.Equal([9, 4, 0, 5, 7, 2, 6, 8, 1, 3], loader.EpochOrder(0));
        Assert.Equal([2, 6, 0, 1, 5, 7, 4, 3, 9, 8], loader.EpochOrder(1));
        Assert.Equal([7, 2, 5, 3, 1, 8, 6, 9, 0, 4], new DataLoader(dataset, new DataLoaderOptions { Shuffle = true, Seed = 7 }).EpochOrder(0));
        Assert.Equal(loader.EpochOrder(0), ReadAll(loader, 0));
        Assert.Equal(loader.EpochOrder(0), ReadAll(new DataLoader(dataset, loader.Options with { Workers = 0 }), 0));
    }

    [Fact]
    public void AnEpochReadFromALaterBatchGivesThoseBatchesOfTheFullRead()
    {
        var dataset = new NumberedDataset(11);
        var options = new DataLoaderOptions { Shuffle = true, BatchSize = 3, Seed = 5, Transform = new DrawIntoMask() };
        foreach (int workers in new[] { 0, 3 })
        {
            var loader = new DataLoader(dataset, options with { Workers = workers });
            var full = Batches(loader.ReadEpoch(4));
            for (int first = 0; first <= loader.BatchCount; first++)
            {
                var tail = Batches(loader.ReadEpoch(4, first));
                Assert.Equal(full.Skip(first).ToList(), tail);
            }
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(dataset, options).ReadEpoch(0, 5));
    }

    /// <summary>Each batch as (position, indices, mask values).</summary>
    private static List<string> Batches(IEnumerable<SegmentationBatch> batches)
    {
        var result = new List<string>();
        foreach (var batch in batches)
        {
            using (batch) result.Add($"{batch.BatchIndex}: {string.Join(",", batch.Indices)} / {string.Join(",", batch.Masks.ToArray<long>())}");
        }
        return result;
    }

    [Fact]
    public void ShardsSplitEachEpochAsDistributedSamplerDoes()
    {
        var dataset = new NumberedDataset(10);
        var options = new DataLoaderOptions { Shuffle = true, Seed = 2, BatchSize = 2 };
        var order = new DataLoader(dataset, options).EpochOrder(1);
        var shards = Enumerable.Range(0, 3).Select(r => new DataLoader(dataset, options with { Shard = new DataShard(r, 3) })).ToArray();
        // Padded to 12 with the order's first two items; rank r takes positions r, r + 3, r + 6, r + 9.
        int[] padded = [.. order, order[0], order[1]];
        for (int r = 0; r < 3; r++)
        {
            Assert.Equal(4, shards[r].ItemsPerEpoch);
            Assert.Equal(2, shards[r].BatchCount);
            Assert.Equal(Enumerable.Range(0, 4).Select(i => padded[r + 3 * i]), shards[r].EpochOrder(1));
            Assert.Equal(shards[r].EpochOrder(1), ReadAll(shards[r], 1));
        }
        Assert.Equal(Enumerable.Range(0, 10), shards.SelectMany(s => s.EpochOrder(1)).Distinct().Order());
        Assert.Throws<ArgumentException>(() => new DataLoader(dataset, options with { Shard = new DataShard(3, 3) }));
    }

    [Fact]
    public void ASubsetReadsTheChosenItems()
    {
        var dataset = new NumberedDataset(10);
        var subset = new DatasetSubset(dataset, [7, 2]);
        Assert.Equal(2, subset.Count);
        Assert.Equal([dataset.Items[7], dataset.Items[2]], subset.Items);
        using (var sample = subset.Load(1)) Assert.Equal((byte)2, sample.Image.ToArray<byte>()[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => subset.Load(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DatasetSubset(dataset, [10]));
        Assert.Equal(["n0", "n3", "n6"], DatasetSubset.Spread(dataset, 3).Items.Select(i => i.Id));
        Assert.Same(dataset, DatasetSubset.Spread(dataset, 10));
    }

    [Fact]
    public void TransformSeedsDependOnSeedEpochAndIndexOnly()
    {
        var dataset = new NumberedDataset(9);
        var options = new DataLoaderOptions { Transform = new DrawIntoMask(), BatchSize = 2, Shuffle = true, Seed = 3 };
        Dictionary<int, long> Draws(DataLoaderOptions o, int epoch)
        {
            var draws = new Dictionary<int, long>();
            foreach (var batch in new DataLoader(dataset, o).ReadEpoch(epoch))
            {
                using (batch)
                {
                    var masks = batch.Masks.ToArray<long>();
                    for (int b = 0; b < batch.Count; b++) draws[batch.Indices[b]] = masks[b * 6];
                }
            }
            return draws;
        }
        var parallel = Draws(options with { Workers = 4 }, 2);
        var serial = Draws(options with { Workers = 0, BatchSize = 5, Shuffle = false }, 2);
        Assert.Equal(parallel.OrderBy(p => p.Key), serial.OrderBy(p => p.Key));
        var loader = new DataLoader(dataset, options);
        Assert.All(parallel, p => Assert.Equal(new Random(loader.SampleSeed(2, p.Key)).Next(1000), p.Value));
        Assert.Equal(155785363, new DataLoader(dataset, new DataLoaderOptions()).SampleSeed(0, 3));
        Assert.NotEqual(parallel.OrderBy(p => p.Key), Draws(options, 3).OrderBy(p => p.Key));
    }

    [Fact]
    public void WorkerFailureNamesTheFileAfterTheEarlierBatches()
    {
        long before = Settled();
        var dataset = new NumberedDataset(12) { FailAt = 5 };
        var loader = new DataLoader(dataset, new DataLoaderOptions { BatchSize = 2, Workers = 3 });
        var seen = new List<int>();
        var e = Assert.Throws<DataLoaderException>(() =>
        {
            foreach (var batch in loader.ReadEpoch(0))
            {
                using (batch) seen.AddRange(batch.Indices);
            }
        });
        Assert.Equal([0, 1, 2, 3], seen);
        Assert.Equal(5, e.Index);
        Assert.Contains("/numbers/5.jpg", e.Message);
        Assert.Contains("truncated JPEG", e.Message);
        Assert.IsType<ImageFormatException>(e.InnerException);
        Assert.Equal(before, Settled());
    }

    [Fact]
    public void StoppingEarlyOrCancellingFreesWhatWasDecodedAhead()
    {
        long before = Settled();
        var dataset = new NumberedDataset(40);
        var loader = new DataLoader(dataset, new DataLoaderOptions { Workers = 2, Prefetch = 2 });
        foreach (var batch in loader.ReadEpoch(0))
        {
            batch.Dispose();
            Thread.Sleep(100);
            // Workers run at most Prefetch batches ahead of the reader: 1 taken + 2 ahead.
            Assert.InRange(dataset.Loads, 1, 3);
            break;
        }
        Assert.Equal(before, Settled());
        using var cancel = new CancellationTokenSource();
        int read = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var batch in loader.ReadEpoch(1, cancel.Token))
            {
                batch.Dispose();
                if (++read == 3) cancel.Cancel();
            }
        });
        Assert.Equal(3, read);
        Assert.Equal(before, Settled());
    }

    [Fact]
    public void SamplesOfDifferentSizesDoNotStack()
    {
        var dataset = new NumberedDataset(4, i => i == 2 ? (4, 4) : (2, 3));
        var loader = new DataLoader(dataset, new DataLoaderOptions { BatchSize = 2, Workers = 0 });
        var e = Assert.Throws<DataLoaderException>(() => ReadAll(loader, 0));
        Assert.Contains("'n3'", e.Message);
        Assert.Contains("'n2'", e.Message);
        Assert.Contains("BatchSize = 1", e.Message);
        Assert.Equal(4, ReadAll(new DataLoader(dataset), 0).Count);
        Assert.Throws<ArgumentException>(() => new DataLoader(dataset, new DataLoaderOptions { BatchSize = 0 }));
    }
}
