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
}
