using Exemplar.Torch.Serialization;

namespace Exemplar.Torch.Tests.Serialization;

/// <summary>
/// Checkpoints crafted to exhaust the reader (deep recursion, storages that claim more bytes than the file holds): each
/// must fail with a <see cref="CheckpointFormatException"/> naming the file, cheaply, never abort the process.
/// </summary>
public sealed class HostileCheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("exemplar-hostile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// _rebuild_from_type_v2(_rebuild_from_type_v2, Tensor, (_rebuild_from_type_v2, Tensor, (…, (storage args…), {}), {}), {})
    /// nested <paramref name="depth"/> times around a _rebuild_tensor_v2 call.
    /// </summary>
    private string NestedRebuild(int depth)
    {
        var c = new CraftedCheckpoint();
        c.Global("torch._tensor", "_rebuild_from_type_v2").Put(1).Global("torch", "Tensor").Put(2).Op((byte)'0'); // memoised, popped
        c.Global("torch._utils", "_rebuild_tensor_v2").Put(3).Op((byte)'0');
        c.Get(1);
        for (int i = 0; i < depth - 1; i++) c.Mark().Get(1).Get(2);
        c.Mark().Get(3).Get(2).TensorArgs("s", [1f, 2f], [2], [1]).EmptyDict().Tuple();
        for (int i = 0; i < depth - 1; i++) c.EmptyDict().Tuple();
        c.Reduce();
        string path = Path.Combine(_dir, $"nested{depth}.pth");
        c.Save(path);
        return path;
    }

    [Fact]
    public void RebuildFromTypeNestedAFewTimesStillLoads()
    {
        using var scope = DisposeScope.Begin();
        var t = Assert.IsType<Tensor>(TorchCheckpoint.Load(NestedRebuild(3)));
        Assert.Equal([1f, 2f], t.ToArray<float>());
    }

    [Fact]
    public void RebuildFromTypeNested50000DeepIsACleanErrorNotAStackOverflow()
    {
        string path = NestedRebuild(50_000);
        Assert.InRange(new FileInfo(path).Length, 200_000, 500_000);
        var e = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("_rebuild_from_type_v2 nested more than", e.Message);
    }

    /// <summary>Loads <paramref name="path"/>, expecting a refusal, and returns it with the managed bytes allocated meanwhile.</summary>
    private static (CheckpointFormatException Error, long Allocated) Refusal(string path)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Load(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(path, e.FilePath);
        return (e, allocated);
    }

    [Fact]
    public void StoragesDeclaringMoreBytesThanTheirEntriesHoldAreRefusedBeforeAllocating()
    {
        const int GiB = 1 << 30;
        string path = Path.Combine(_dir, "liar.pth");
        var c = new CraftedCheckpoint().EmptyDict();
        c.Str("a").Global("torch._utils", "_rebuild_tensor_v2").TensorArgs("a", new float[4], [4], [1], numel: GiB / 4).Reduce().SetItem();
        c.Str("b").Global("torch._utils", "_rebuild_tensor_v2").TensorArgs("b", new float[4], [4], [1], numel: GiB / 4).Reduce().SetItem();
        c.Save(path);
        CraftedCheckpoint.DeclareEntrySize(path, "archive/data/a", GiB);
        CraftedCheckpoint.DeclareEntrySize(path, "archive/data/b", GiB);

        var (e, allocated) = Refusal(path);
        Assert.Contains("archive/data/a", e.Message);
        Assert.Contains($"declares {GiB} bytes", e.Message);
        Assert.Contains("16 ", e.Message); // what the entry really holds
        Assert.True(allocated < 8 << 20, $"{allocated} bytes allocated before refusing");
    }

    [Fact]
    public void CompressedStoragesInflatingFarBeyondTheirSizeAreRefusedBeforeInflating()
    {
        // 16 MB of zeros deflate to about 16 KB: a zip bomb in miniature (torch.save never compresses storages).
        string path = Path.Combine(_dir, "bomb.pth");
        var c = new CraftedCheckpoint { StorageCompression = System.IO.Compression.CompressionLevel.SmallestSize };
        c.Global("torch._utils", "_rebuild_tensor_v2").TensorArgs("z", new float[4 << 20], [4], [1]).Reduce();
        c.Save(path);
        Assert.True(new FileInfo(path).Length < 100_000);

        var (e, allocated) = Refusal(path);
        Assert.Contains("archive/data/z", e.Message);
        Assert.Contains("declares 16777216 bytes", e.Message);
        Assert.True(allocated < 4 << 20, $"{allocated} bytes allocated before refusing");
    }
}
