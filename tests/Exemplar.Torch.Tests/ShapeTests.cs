namespace Exemplar.Torch.Tests;

/// <summary>Views and reshapes, joining and splitting, broadcasting views, squeezing.</summary>
public class ShapeTests
{
    [Fact]
    public void ViewSharesStorageAndInfersMinusOne()
    {
        using var x = Check.Range(6, 6);
        using var v = x.View(2, -1);
        Check.Close(v, [2, 3], [0f, 1f, 2f, 3f, 4f, 5f], atol: 0);
        using (x.Fill_(1)) { }
        Assert.Equal([1f, 1f, 1f, 1f, 1f, 1f], v.ToArray<float>());
    }

    [Fact]
    public void ReshapeCopiesNonContiguousInput()
    {
        using var x = Check.Range(6, 2, 3);
        using var t = x.Transpose(0, 1);
        using var r = t.Reshape(6);
        Check.Close(r, [6], [0f, 3f, 1f, 4f, 2f, 5f], atol: 0);
        Assert.Throws<TorchException>(() => t.View(6));
    }

    [Fact]
    public void PermuteTransposeAndMovedim()
    {
        using var x = Check.Range(24, 2, 3, 4);
        using (var p = x.Permute(2, 0, 1))
        {
            Check.Close(p, [4, 2, 3], [0f, 4f, 8f, 12f, 16f, 20f, 1f, 5f, 9f, 13f, 17f, 21f, 2f, 6f, 10f, 14f, 18f, 22f, 3f, 7f, 11f, 15f, 19f, 23f], atol: 0);
            Assert.Equal([1L, 12, 4], p.Strides);
        }
        using (var t = x.Transpose(0, 2))
        {
            Check.Close(t, [4, 3, 2], [0f, 12f, 4f, 16f, 8f, 20f, 1f, 13f, 5f, 17f, 9f, 21f, 2f, 14f, 6f, 18f, 10f, 22f, 3f, 15f, 7f, 19f, 11f, 23f], atol: 0);
        }
        using (var m = x.Movedim(0, -1))
        {
            Assert.Equal([3L, 4, 2], m.Shape);
            Assert.Equal([0f, 12f, 1f, 13f, 2f, 14f, 3f, 15f], m.ToArray<float>()[..8]);
        }
    }

    [Fact]
    public void ContiguousMakesRowMajorCopy()
    {
        using var x = Check.Range(6, 2, 3);
        Assert.True(x.IsContiguous);
        using var t = x.Transpose(0, 1);
        Assert.False(t.IsContiguous);
        Assert.Equal([1L, 3], t.Strides);
        using var c = t.Contiguous();
        Assert.True(c.IsContiguous);
        Assert.Equal([2L, 1], c.Strides);
        Check.Close(c, [3, 2], [0f, 3f, 1f, 4f, 2f, 5f], atol: 0);
        using var view = c.View(6);
        Check.Close(view, [6], [0f, 3f, 1f, 4f, 2f, 5f], atol: 0);
    }

    [Fact]
    public void FlattenAndUnflatten()
    {
        using var x = Check.Range(24, 2, 3, 4);
        using (var f = x.Flatten()) Assert.Equal([24L], f.Shape);
        using (var f = x.Flatten(1)) Assert.Equal([2L, 12], f.Shape);
        using (var f = x.Flatten(0, 1)) Assert.Equal([6L, 4], f.Shape);
        using var u = x.Unflatten(2, 2, 2);
        Assert.Equal([2L, 3, 2, 2], u.Shape);
        using var back = u.Flatten(2);
        Assert.True(back.Equal(x));
        using var inferred = x.Unflatten(1, -1, 1);
        Assert.Equal([2L, 3, 1, 4], inferred.Shape);
    }

    [Fact]
    public void ExpandBroadcastsWithZeroStride()
    {
        using var x = Tensor.From([1f, 2f, 3f], 3, 1);
        using var e = x.Expand(3, 4);
        Assert.Equal([1L, 0], e.Strides);
        Check.Close(e, [3, 4], [1f, 1f, 1f, 1f, 2f, 2f, 2f, 2f, 3f, 3f, 3f, 3f], atol: 0);
        using var keep = x.Expand(2, -1, 2);
        Assert.Equal([2L, 3, 2], keep.Shape);
    }

    [Fact]
    public void RepeatTiles()
    {
        using var x = Check.Range(6, 2, 3);
        using var r = x.Repeat(2, 2);
        Check.Close(r, [4, 6], [0f, 1f, 2f, 0f, 1f, 2f, 3f, 4f, 5f, 3f, 4f, 5f, 0f, 1f, 2f, 0f, 1f, 2f, 3f, 4f, 5f, 3f, 4f, 5f], atol: 0);
        using var r3 = x.Repeat(2, 1, 1);
        Assert.Equal([2L, 2, 3], r3.Shape);
    }

    [Fact]
    public void SqueezeAndUnsqueeze()
    {
        using var x = Tensor.Zeros([1, 3, 1, 2]);
        using (var s = x.Squeeze()) Assert.Equal([3L, 2], s.Shape);
        using (var s = x.Squeeze(2)) Assert.Equal([1L, 3, 2], s.Shape);
        using (var s = x.Squeeze(1)) Assert.Equal([1L, 3, 1, 2], s.Shape); // not of size 1: unchanged
        using (var u = x.Unsqueeze(0)) Assert.Equal([1L, 1, 3, 1, 2], u.Shape);
        using (var u = x.Unsqueeze(-1)) Assert.Equal([1L, 3, 1, 2, 1], u.Shape);
    }

    [Fact]
    public void CatAlongExistingDims()
    {
        using var a = Check.Range(4, 2, 2);
        using var b = Tensor.From([10f, 11f], 1, 2);
        using (var c = Tensor.Cat([a, b])) Check.Close(c, [3, 2], [0f, 1f, 2f, 3f, 10f, 11f], atol: 0);
        using var bt = b.MT;
        using (var c = Tensor.Cat([a, bt], 1)) Check.Close(c, [2, 3], [0f, 1f, 10f, 2f, 3f, 11f], atol: 0);
        using (var c = Tensor.Cat([a, a], -1)) Assert.Equal([2L, 4], c.Shape);
    }

    [Fact]
    public void StackAlongNewDim()
    {
        using var a = Tensor.From([1f, 2f]);
        using var b = Tensor.From([3f, 4f]);
        using (var s = Tensor.Stack([a, b])) Check.Close(s, [2, 2], [1f, 2f, 3f, 4f], atol: 0);
        using (var s = Tensor.Stack([a, b], 1)) Check.Close(s, [2, 2], [1f, 3f, 2f, 4f], atol: 0);
    }

    [Fact]
    public void SplitBySizeAndBySizes()
    {
        using var x = Check.Range(10, 5, 2);
        var parts = x.Split(2);
        try
        {
            Assert.Equal(3, parts.Length);
            Check.Close(parts[0], [2, 2], [0f, 1f, 2f, 3f], atol: 0);
            Check.Close(parts[2], [1, 2], [8f, 9f], atol: 0);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
        parts = x.Split([1L, 4], 0);
        try
        {
            Assert.Equal([1L, 2], parts[0].Shape);
            Assert.Equal([4L, 2], parts[1].Shape);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
        parts = x.Split(1, 1);
        try
        {
            Check.Close(parts[1], [5, 1], [1f, 3f, 5f, 7f, 9f], atol: 0);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    [Fact]
    public void ChunkIntoNearlyEqualPieces()
    {
        using var x = Check.Range(7, 7);
        var chunks = x.Chunk(3);
        try
        {
            Assert.Equal([3L, 3L, 1L], chunks.Select(c => c.Shape[0]).ToArray());
            Check.Close(chunks[1], [3], [3f, 4f, 5f], atol: 0);
        }
        finally
        {
            foreach (var c in chunks) c.Dispose();
        }
    }

    [Fact]
    public void SelectNarrowSliceFlip()
    {
        using var x = Check.Range(10, 2, 5);
        using (var s = x.Select(1, 3)) Check.Close(s, [2], [3f, 8f], atol: 0);
        using (var n = x.Narrow(1, 1, 2)) Check.Close(n, [2, 2], [1f, 2f, 6f, 7f], atol: 0);
        using (var s = x.Slice(1, 1, null, 2)) Check.Close(s, [2, 2], [1f, 3f, 6f, 8f], atol: 0);
        using (var s = x.Slice(1, null, -2)) Check.Close(s, [2, 3], [0f, 1f, 2f, 5f, 6f, 7f], atol: 0);
        using (var f = x.Flip(0, 1)) Check.Close(f, [2, 5], [9f, 8f, 7f, 6f, 5f, 4f, 3f, 2f, 1f, 0f], atol: 0);
    }

    [Fact]
    public void TensorUnfoldMakesSlidingWindows()
    {
        using var x = Check.Range(8, 8);
        using var w = x.Unfold(0, 3, 2);
        Check.Close(w, [3, 3], [0f, 1f, 2f, 2f, 3f, 4f, 4f, 5f, 6f], atol: 0);
        using var m = Check.Range(8, 2, 4);
        using var w2 = m.Unfold(1, 2, 2);
        Check.Close(w2, [2, 2, 2], [0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f], atol: 0);
    }

    [Fact]
    public void AsStridedAndStorageOffset()
    {
        using var x = Check.Range(24, 24);
        using var s = x.AsStrided([2, 2], [1, 4], 1);
        Assert.Equal(1, s.StorageOffset);
        Check.Close(s, [2, 2], [1f, 5f, 2f, 6f], atol: 0);
        using var sel = x.Narrow(0, 5, 3);
        Assert.Equal(5, sel.StorageOffset);
    }

    [Fact]
    public void SizeAcceptsNegativeDims()
    {
        using var x = Tensor.Zeros([2, 3, 4]);
        Assert.Equal(4, x.Size(-1));
        Assert.Equal(2, x.Size(0));
        Assert.Throws<TorchException>(() => x.Size(3));
    }
}
