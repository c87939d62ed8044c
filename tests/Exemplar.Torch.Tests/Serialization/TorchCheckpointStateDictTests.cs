using Exemplar.Torch.Serialization;
using Exemplar.Torch.Serialization.Pickle;

namespace Exemplar.Torch.Tests.Serialization;

/// <summary>TorchCheckpoint.LoadStateDict on hand-made pickles: what it names, what it frees, what it refuses.</summary>
public sealed class TorchCheckpointStateDictTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("exemplar-sd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// {"model": {"w": t0}, "ema": {"w": t1}, "pair": (t2, t3), "args": argparse.Namespace(t4) with state {"s": t5}}.
    /// </summary>
    private string TrainingCheckpoint()
    {
        var c = new CraftedCheckpoint().EmptyDict();
        c.Str("model").EmptyDict().Str("w").Tensor(0).SetItem().SetItem();
        c.Str("ema").EmptyDict().Str("w").Tensor(1).SetItem().SetItem();
        c.Str("pair").Mark().Tensor(2).Tensor(3).Tuple().SetItem();
        c.Str("args").Global("argparse", "Namespace").Mark().Tensor(4).Tuple().Reduce();
        c.EmptyDict().Str("s").Tensor(5).SetItem().Build().SetItem();
        string path = Path.Combine(_dir, "training.pth");
        c.Save(path);
        return path;
    }

    [Fact]
    public void AnEntryIsReturnedAndEveryOtherTensorIsFreed()
    {
        string path = TrainingCheckpoint();
        long start = Check.SettledLiveCount();
        var state = TorchCheckpoint.LoadStateDict(path, "model");
        Assert.Equal(start + 1, Tensor.LiveCount); // no GC in between: the others were freed, not left to finalizers
        var w = Assert.Single(state);
        Assert.Equal("w", w.Key);
        Assert.Equal([0f, 0.5f], w.Value.ToArray<float>());
        w.Value.Dispose();
        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void TuplesAreNamedAndTensorsInsidePythonObjectsAreFreed()
    {
        string path = TrainingCheckpoint();
        long start = Check.SettledLiveCount();
        var state = TorchCheckpoint.LoadStateDict(path);
        Assert.Equal(["model.w", "ema.w", "pair.0", "pair.1"], state.Keys);
        Assert.Equal([3f, 3.5f], state["pair.1"].ToArray<float>());
        Assert.Equal(start + 4, Tensor.LiveCount);
        foreach (var t in state.Values) t.Dispose();
        Assert.Equal(start, Tensor.LiveCount);

        var missing = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.LoadStateDict(path, "optimizer"));
        Assert.Equal(path, missing.FilePath);
        Assert.Contains("'optimizer'", missing.Message);
        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void ASelfReferencingListIsWalkedOnce()
    {
        // {"loop": L} with L = [L, t0]: EMPTY_LIST, BINPUT 0, BINGET 0, APPEND makes the list hold itself.
        var c = new CraftedCheckpoint().EmptyDict();
        c.Str("loop").EmptyList().Put(0).Get(0).Append().Tensor(0).Append().SetItem();
        string path = Path.Combine(_dir, "loop.pth");
        c.Save(path);

        using (DisposeScope.Begin())
        {
            var loop = Assert.IsType<List<object?>>(Assert.IsType<PickleDict>(TorchCheckpoint.Load(path))["loop"]);
            Assert.Same(loop, loop[0]);
        }
        long start = Check.SettledLiveCount();
        var state = TorchCheckpoint.LoadStateDict(path);
        using var t = Assert.Single(state, kv => kv.Key == "loop.1").Value;
        Assert.Equal([0f, 0.5f], t.ToArray<float>());
        Assert.Equal(start + 1, Tensor.LiveCount);
    }

    [Fact]
    public void TwoTensorsWithOneNameAreRefused()
    {
        // {"a.b": t0, "a": {"b": t1}} both flatten to "a.b".
        var c = new CraftedCheckpoint().EmptyDict();
        c.Str("a.b").Tensor(0).SetItem();
        c.Str("a").EmptyDict().Str("b").Tensor(1).SetItem().SetItem();
        string path = Path.Combine(_dir, "clash.pth");
        c.Save(path);

        long start = Check.SettledLiveCount();
        var e = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.LoadStateDict(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("'a.b'", e.Message);
        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void ATensorStoredUnderTwoNamesGivesEachNameItsOwnHandle()
    {
        // {"w": t0, "tied": t0}: the pickle memo makes both values the same object, as for tied weights.
        var c = new CraftedCheckpoint().EmptyDict();
        c.Str("w").Tensor(0).Put(1).SetItem();
        c.Str("tied").Get(1).SetItem();
        string path = Path.Combine(_dir, "tied.pth");
        c.Save(path);

        long start = Check.SettledLiveCount();
        var state = TorchCheckpoint.LoadStateDict(path);
        Assert.Equal(start + 2, Tensor.LiveCount);
        Assert.NotSame(state["w"], state["tied"]);
        state["w"].Dispose();
        Assert.Equal([0f, 0.5f], state["tied"].ToArray<float>());
        state["tied"].Dispose();
        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void AStrideOfAnotherRankIsAFormatErrorNamingTheFile()
    {
        var c = new CraftedCheckpoint().EmptyDict();
        c.Str("w").Tensor("s0", new float[6], size: [2, 3], stride: [1]).SetItem();
        string path = Path.Combine(_dir, "stride.pth");
        c.Save(path);

        long start = Check.SettledLiveCount();
        var e = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("stride", e.Message);
        Assert.Equal(start, Tensor.LiveCount);
    }
}
