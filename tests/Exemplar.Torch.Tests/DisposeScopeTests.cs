namespace Exemplar.Torch.Tests;

/// <summary>Deterministic freeing with DisposeScope: no leaks over many operations, nesting, moving tensors out.</summary>
public class DisposeScopeTests
{
    [Fact]
    public void TenThousandOperationsInScopesLeaveNoLiveTensors()
    {
        using var x = Tensor.From([1f, 2f, 3f, 4f], 2, 2);
        using var w = Tensor.From([0.5f, -1f, 2f, 0f], 2, 2);
        long start = Check.SettledLiveCount();
        int operations = 0;
        for (int outer = 0; outer < 20; outer++)
        {
            using var scope = DisposeScope.Begin();
            var acc = Tensor.ZerosLike(x);
            operations++;
            for (int inner = 0; inner < 25; inner++)
            {
                using var nested = DisposeScope.Begin();
                for (int k = 0; k < 4; k++)
                {
                    var h = Functional.Relu(x.Matmul(w) + 1);      // 3 operations
                    var s = (h * 0.5).Sum(1, keepDim: true);        // 2
                    var y = Tensor.Cat([h, s], 1)[.., ..2];         // 3: cat and two narrows (in the indexer's own scope)
                    acc = (acc + y).MoveToOuterScope();             // 1, survives the nested scope
                    operations += 9;
                }
                Assert.True(nested.Count > 0);
            }
            Assert.Equal([2L, 2], acc.Shape);
        }
        Assert.True(operations >= 10_000, $"only {operations} operations");
        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void ManyFlatOperationsLeaveNoLiveTensors()
    {
        using var x = Tensor.Ones([8]);
        long start = Check.SettledLiveCount();
        using (DisposeScope.Begin())
        {
            var y = x;
            for (int k = 0; k < 10_000; k++) y = y * 1.0001;
            Assert.InRange(y[0].Item<float>(), 2.6f, 2.8f); // 1.0001^10000 ≈ e
        }
        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void ScopeDisposesWhatItCreatedOnly()
    {
        using var outside = Tensor.Ones([2]);
        Tensor inside;
        using (var scope = DisposeScope.Begin())
        {
            Assert.Same(scope, DisposeScope.Current);
            inside = outside + 1;
            Assert.Equal(1, scope.Count);
        }
        Assert.Null(DisposeScope.Current);
        Assert.True(inside.IsDisposed);
        Assert.False(outside.IsDisposed);
    }

    [Fact]
    public void NestedScopesRestoreTheOuterOne()
    {
        using var outer = DisposeScope.Begin();
        Tensor a = Tensor.Ones([1]);
        Tensor b;
        using (var inner = DisposeScope.Begin())
        {
            Assert.Same(outer, inner.Outer);
            Assert.Same(inner, DisposeScope.Current);
            b = a * 2;
        }
        Assert.Same(outer, DisposeScope.Current);
        Assert.True(b.IsDisposed);
        Assert.False(a.IsDisposed);
        outer.Dispose();
        Assert.True(a.IsDisposed);
        outer.Dispose(); // twice is harmless
    }

    [Fact]
    public void MoveToOuterScopeKeepsResultAliveUntilTheOuterScopeEnds()
    {
        long start = Check.SettledLiveCount();
        Tensor result;
        using (var outer = DisposeScope.Begin())
        {
            using (DisposeScope.Begin())
            {
                var t = Tensor.From([1f, 2f]);
                result = (t * 3).MoveToOuterScope();
                Assert.True(outer.Count == 1);
            }
            Assert.False(result.IsDisposed);
            Assert.Equal([3f, 6f], result.ToArray<float>());
        }
        Assert.True(result.IsDisposed);
        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void MoveToOuterScopeWithoutOuterScopeHandsOwnershipToTheCaller()
    {
        long start = Check.SettledLiveCount();
        Tensor result;
        using (DisposeScope.Begin())
        {
            result = Tensor.Full([2], 4).MoveToOuterScope();
        }
        Assert.False(result.IsDisposed);
        Assert.Equal(start + 1, Tensor.LiveCount);
        result.Dispose();
        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void DetachFromScopeHandsOwnershipToTheCallerFromAnyDepth()
    {
        long start = Check.SettledLiveCount();
        Tensor kept;
        using (DisposeScope.Begin())
        {
            using (DisposeScope.Begin())
            {
                kept = Tensor.Arange(4).DetachFromScope();
            }
            Assert.False(kept.IsDisposed);
        }
        Assert.False(kept.IsDisposed);
        Assert.Equal([0L, 1, 2, 3], kept.ToArray<long>());
        Assert.Equal(start + 1, Tensor.LiveCount);
        kept.Dispose();
        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void DisposingInsideAScopeIsHarmless()
    {
        long start = Check.SettledLiveCount();
        using (var scope = DisposeScope.Begin())
        {
            var t = Tensor.Ones([3]);
            t.Dispose();
            Assert.Equal(0, scope.Count);
            using var u = Tensor.Zeros([3]); // disposed by both the using and the scope
        }
        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void MultiOutputOperationsAndGradsAreScoped()
    {
        using var x = Tensor.From([3f, 1f, 2f]).RequiresGrad_();
        long start = Check.SettledLiveCount();
        using (DisposeScope.Begin())
        {
            var (values, indices) = x.Sort();
            var parts = x.Chunk(3);
            var loss = (values * values).Sum();
            loss.Backward();
            var g = x.Grad!;
            Assert.Equal([6f, 2f, 4f], g.ToArray<float>());
            Assert.Equal(3, parts.Length);
            Assert.Equal([1L, 2, 0], indices.ToArray<long>());
        }
        // The leaf's accumulated gradient is held by libtorch, not by a handle: the handle count is back.
        Assert.Equal(start, Tensor.LiveCount);
        using var grad = x.Grad!;
        Assert.Equal([6f, 2f, 4f], grad.ToArray<float>());
    }

    [Fact]
    public void FailedOperationInsideAScopeLeaksNothing()
    {
        using var a = Tensor.Ones([2]);
        using var b = Tensor.Ones([5]);
        long start = Check.SettledLiveCount();
        using (DisposeScope.Begin())
        {
            var ok = a * 2;
            Assert.Throws<TorchException>(() => ok + b);
        }
        Assert.Equal(start, Tensor.LiveCount);
    }
}

public class DisposeScopeOrderTests
{
    [Fact]
    public void ScopesDisposedOutOfOrderNeverLeaveADisposedScopeCurrent()
    {
        var outer = DisposeScope.Begin();
        var inner = DisposeScope.Begin();
        outer.Dispose();
        inner.Dispose();
        Assert.Null(DisposeScope.Current);
    }

    [Fact]
    public void ADefaultGradModeGuardChangesNothing()
    {
        Assert.True(LibTorch.GradEnabled);
        default(GradModeGuard).Dispose();
        Assert.True(LibTorch.GradEnabled);
    }
}
