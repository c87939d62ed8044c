namespace Exemplar.Torch.Tests;

/// <summary>The C# indexer (ints, ranges, ^n, ellipsis, new axes, masks, index tensors, setter) and gather/scatter-style ops.</summary>
public class IndexingTests
{
    // x[i, j, k] = 12·i + 4·j + k
    private static Tensor Cube() => Check.Range(24, 2, 3, 4);

    [Fact]
    public void IntegerIndicesSelectAndDropDims()
    {
        using var x = Cube();
        using (var t = x[1]) Check.Close(t, [3, 4], [12f, 13f, 14f, 15f, 16f, 17f, 18f, 19f, 20f, 21f, 22f, 23f], atol: 0);
        using (var t = x[0, 2]) Check.Close(t, [4], [8f, 9f, 10f, 11f], atol: 0);
        using (var t = x[1, 2, 3]) Check.Close(t, [], [23f], atol: 0);
        using (var t = x[-1, -2]) Check.Close(t, [4], [16f, 17f, 18f, 19f], atol: 0);
    }

    [Fact]
    public void FromEndIndicesAndRanges()
    {
        using var x = Cube();
        using (var t = x[^1, ^1]) Check.Close(t, [4], [20f, 21f, 22f, 23f], atol: 0);
        using (var t = x[.., 1..^1]) Check.Close(t, [2, 1, 4], [4f, 5f, 6f, 7f, 16f, 17f, 18f, 19f], atol: 0);
        using (var t = x[0, .., ^2..]) Check.Close(t, [3, 2], [2f, 3f, 6f, 7f, 10f, 11f], atol: 0);
        using (var t = x[0, ..2, 1..3]) Check.Close(t, [2, 2], [1f, 2f, 5f, 6f], atol: 0);
        using (var t = x[1.., 0]) Check.Close(t, [1, 4], [12f, 13f, 14f, 15f], atol: 0);
    }

    [Fact]
    public void BasicIndexingGivesAViewOfTheSameStorage()
    {
        using var x = Cube();
        using var row = x[1, 2];
        Assert.Equal(20, row.StorageOffset);
        using (x.Fill_(-1)) { }
        Assert.Equal([-1f, -1f, -1f, -1f], row.ToArray<float>());
    }

    [Fact]
    public void EllipsisAndNewAxis()
    {
        using var x = Cube();
        using (var t = x[TensorIndex.Ellipsis, 0]) Check.Close(t, [2, 3], [0f, 4f, 8f, 12f, 16f, 20f], atol: 0);
        using (var t = x[1, TensorIndex.Ellipsis]) Assert.Equal([3L, 4], t.Shape);
        using (var t = x[0, TensorIndex.Ellipsis, 3]) Check.Close(t, [3], [3f, 7f, 11f], atol: 0);
        using (var t = x[TensorIndex.NewAxis]) Assert.Equal([1L, 2, 3, 4], t.Shape);
        using (var t = x[TensorIndex.NewAxis, 0]) Check.Close(t, [1, 3, 4], [0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f], atol: 0);
        using (var t = x[0, TensorIndex.Ellipsis, TensorIndex.NewAxis]) Assert.Equal([3L, 4, 1], t.Shape);
        using (var t = x[.., TensorIndex.NewAxis, 2]) Check.Close(t, [2, 1, 4], [8f, 9f, 10f, 11f, 20f, 21f, 22f, 23f], atol: 0);
    }

    [Fact]
    public void BoolMaskIndexing()
    {
        using var x = Cube();
        using var big = x.Gt(20);
        using (var t = x[big]) Check.Close(t, [3], [21f, 22f, 23f], atol: 0);

        using var rows = Tensor.From([true, false, true]);
        using (var t = x[.., rows])
        {
            Check.Close(t, [2, 2, 4], [0f, 1f, 2f, 3f, 8f, 9f, 10f, 11f, 12f, 13f, 14f, 15f, 20f, 21f, 22f, 23f], atol: 0);
        }
    }

    [Fact]
    public void Int64IndexTensors()
    {
        using var x = Cube();
        using var first = Tensor.From([1L, 0L, 1L]);
        using (var t = x[first])
        {
            Assert.Equal([3L, 3, 4], t.Shape);
            Assert.Equal(12f, t.ToArray<float>()[0]);
            Assert.Equal(0f, t.ToArray<float>()[12]);
        }
        using var last = Tensor.From([3L, 0L]);
        using (var t = x[.., .., last]) Check.Close(t, [2, 3, 2], [3f, 0f, 7f, 4f, 11f, 8f, 15f, 12f, 19f, 16f, 23f, 20f], atol: 0);
        using var i = Tensor.From([0L, 1L]);
        using var j = Tensor.From([2L, 0L]);
        using (var t = x[i, j]) Check.Close(t, [2, 4], [8f, 9f, 10f, 11f, 12f, 13f, 14f, 15f], atol: 0);
        using var k = Tensor.From([0L, 3L]);
        using (var t = x[1, 1.., k]) Check.Close(t, [2, 2], [16f, 19f, 20f, 23f], atol: 0);
        using var negative = Tensor.From([-1L]);
        using (var t = x[0, 0, negative]) Check.Close(t, [1], [3f], atol: 0);
    }

    [Fact]
    public void SetterWritesThroughBasicIndices()
    {
        using var y = Tensor.Zeros([3, 4]);
        using (var five = Tensor.Scalar(5f)) y[1] = five;
        using (var col = Tensor.From([1f, 2f, 3f])) y[.., 0] = col;
        using (var corner = Tensor.Scalar(9f)) y[^1, ^1] = corner;
        using (var block = Tensor.From([7f, 8f], 1, 2)) y[0, 2..] = block;
        Check.Close(y, [3, 4], [1f, 0f, 7f, 8f, 2f, 5f, 5f, 5f, 3f, 0f, 0f, 9f], atol: 0);
    }

    [Fact]
    public void SetterWritesThroughMasksAndIndexTensors()
    {
        using var y = Check.Range(6, 2, 3);
        using var mask = y.Gt(3);
        using (var minus = Tensor.Scalar(-1f)) y[mask] = minus;
        Check.Close(y, [2, 3], [0f, 1f, 2f, 3f, -1f, -1f], atol: 0);

        using var cols = Tensor.From([0L, 2L]);
        using (var vals = Tensor.From([10f, 20f])) y[1, cols] = vals;
        Check.Close(y, [2, 3], [0f, 1f, 2f, 10f, -1f, 20f], atol: 0);

        using var rows = Tensor.From([1L]);
        using (var row = Tensor.From([4f, 5f, 6f], 1, 1, 3)) y[rows, TensorIndex.Ellipsis] = row; // leading 1s dropped, as in Python
        Check.Close(y, [2, 3], [0f, 1f, 2f, 4f, 5f, 6f], atol: 0);
    }

    [Fact]
    public void OutOfRangeIndexThrows()
    {
        using var x = Cube();
        Assert.Throws<TorchException>(() => x[2]);
        Assert.Throws<TorchException>(() => x[0, 0, 0, 0]);
    }

    [Fact]
    public void MaskedFillWithScalarAndTensor()
    {
        using var x = Tensor.From([1f, -2f, 3f, -4f], 2, 2);
        using var neg = x.Lt(0);
        using (var t = x.MaskedFill(neg, 0)) Check.Close(t, [2, 2], [1f, 0f, 3f, 0f], atol: 0);
        using var rowMask = Tensor.From([true, false], 2, 1);
        using var value = Tensor.Scalar(9f);
        using (var t = x.MaskedFill(rowMask, value)) Check.Close(t, [2, 2], [9f, 9f, 3f, -4f], atol: 0);
        Check.Close(x, [2, 2], [1f, -2f, 3f, -4f], atol: 0); // not in place
    }

    [Fact]
    public void WhereChoosesElementwise()
    {
        using var c = Tensor.From([true, false, true]);
        using var a = Tensor.From([1f, 2f, 3f]);
        using var b = Tensor.From([10f, 20f, 30f]);
        using (var t = Tensor.Where(c, a, b)) Check.Close(t, [3], [1f, 20f, 3f], atol: 0);
        using (var t = Tensor.Where(c, a, -1)) Check.Close(t, [3], [1f, -1f, 3f], atol: 0);
        using var col = Tensor.From([true, false], 2, 1);
        using (var t = Tensor.Where(col, a, b)) Check.Close(t, [2, 3], [1f, 2f, 3f, 10f, 20f, 30f], atol: 0);
    }

    [Fact]
    public void GatherAlongDim()
    {
        using var s = Tensor.From([1f, 5f, 2f, 4f, 3f, 6f], 2, 3);
        using var idx = Tensor.From([2L, 0L, 1L, 1L], 2, 2);
        using var g = s.Gather(1, idx);
        Check.Close(g, [2, 2], [2f, 1f, 3f, 3f], atol: 0);
    }

    [Fact]
    public void ScatterSrcValueAndAdd()
    {
        using var zeros = Tensor.Zeros([3, 4]);
        using var idx = Tensor.From([0L, 1L, 2L, 0L], 1, 4);
        using var src = Tensor.From([1f, 2f, 3f, 4f], 1, 4);
        using (var t = zeros.Scatter(0, idx, src)) Check.Close(t, [3, 4], [1f, 0f, 0f, 4f, 0f, 2f, 0f, 0f, 0f, 0f, 3f, 0f], atol: 0);

        using var z23 = Tensor.Zeros([2, 3]);
        using var idx2 = Tensor.From([2L, 0L], 2, 1);
        using (var t = z23.Scatter(1, idx2, 7.0)) Check.Close(t, [2, 3], [0f, 0f, 7f, 7f, 0f, 0f], atol: 0);

        using var z3 = Tensor.Zeros([3]);
        using var bins = Tensor.From([0L, 2L, 0L, 2L, 1L]);
        using var w = Tensor.From([1f, 2f, 3f, 4f, 5f]);
        using (var t = z3.ScatterAdd(0, bins, w)) Check.Close(t, [3], [4f, 5f, 6f], atol: 0);
    }

    [Fact]
    public void IndexSelectPicksRowsOrColumns()
    {
        using var x = Check.Range(6, 2, 3);
        using var idx = Tensor.From([2L, 0L, 2L]);
        using (var t = x.IndexSelect(1, idx)) Check.Close(t, [2, 3], [2f, 0f, 2f, 5f, 3f, 5f], atol: 0);
        using var r = Tensor.From([1L]);
        using (var t = x.IndexSelect(0, r)) Check.Close(t, [1, 3], [3f, 4f, 5f], atol: 0);
    }

    private static Tensor Scores() => Tensor.From([3f, 1f, 4f, 0f, 5f, 9f, 2f, 6f, 5f, 3f], 2, 5);

    [Fact]
    public void TopkLargestSmallestAndAlongDim()
    {
        using var t = Scores();
        var (v, i) = t.Topk(2);
        using (v) using (i)
        {
            Check.Close(v, [2, 2], [5f, 4f, 9f, 6f], atol: 0);
            Check.Longs(i, [2, 2], [4, 2, 0, 2]);
        }
        (v, i) = t.Topk(2, largest: false);
        using (v) using (i)
        {
            Check.Close(v, [2, 2], [0f, 1f, 2f, 3f], atol: 0);
            Check.Longs(i, [2, 2], [3, 1, 1, 4]);
        }
        (v, i) = t.Topk(1, dim: 0);
        using (v) using (i)
        {
            Check.Close(v, [1, 5], [9f, 2f, 6f, 5f, 5f], atol: 0);
            Check.Longs(i, [1, 5], [1, 1, 1, 1, 0]);
        }
    }

    [Fact]
    public void SortAscendingAndDescending()
    {
        using var t = Scores();
        var (v, i) = t.Sort();
        using (v) using (i)
        {
            Check.Close(v, [2, 5], [0f, 1f, 3f, 4f, 5f, 2f, 3f, 5f, 6f, 9f], atol: 0);
            Check.Longs(i, [2, 5], [3, 1, 0, 2, 4, 1, 4, 3, 2, 0]);
        }
        (v, i) = t.Sort(dim: 0, descending: true);
        using (v) using (i)
        {
            Check.Close(v, [2, 5], [9f, 2f, 6f, 5f, 5f, 3f, 1f, 4f, 0f, 3f], atol: 0);
            Check.Longs(i, [2, 5], [1, 1, 1, 1, 0, 0, 0, 0, 0, 1]);
        }
    }

    [Fact]
    public void NonzeroListsCoordinates()
    {
        using var x = Tensor.From([0L, 1L, 2L, 0L], 2, 2);
        using var nz = x.Nonzero();
        Check.Longs(nz, [2, 2], [0, 1, 1, 0]);
    }

    [Fact]
    public void OneHotEncodes()
    {
        using var labels = Tensor.From([0L, 2L, 1L, 2L], 2, 2);
        using (var t = Functional.OneHot(labels, 3)) Check.Longs(t, [2, 2, 3], [1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1]);
        using (var t = Functional.OneHot(labels)) Assert.Equal([2L, 2, 3], t.Shape);
        using (var t = Functional.OneHot(labels, 5)) Assert.Equal([2L, 2, 5], t.Shape);
    }
}
