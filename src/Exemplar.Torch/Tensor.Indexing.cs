namespace Exemplar.Torch;

/// <summary>One entry of a tensor index: an integer, a range, <c>...</c>, a new axis, or an index/mask tensor.</summary>
public readonly struct TensorIndex
{
    private enum Kind { Single, Range, Ellipsis, NewAxis, Tensor }

    private readonly Kind _kind;
    private readonly Index _single;
    private readonly Range _range;
    private readonly Tensor? _tensor;

    private TensorIndex(Kind kind, Index single = default, Range range = default, Tensor? tensor = null)
    {
        _kind = kind;
        _single = single;
        _range = range;
        _tensor = tensor;
    }

    /// <summary>Python's <c>...</c>: as many full slices as needed.</summary>
    public static TensorIndex Ellipsis => new(Kind.Ellipsis);

    /// <summary>Python's <c>None</c> in an index: inserts a dimension of size 1.</summary>
    public static TensorIndex NewAxis => new(Kind.NewAxis);

    /// <summary>A single position (the dimension disappears); <c>^1</c> is the last.</summary>
    public static implicit operator TensorIndex(int i) => new(Kind.Single, single: i >= 0 ? new Index(i) : new Index(-i, fromEnd: true));

    /// <summary>A single position.</summary>
    public static implicit operator TensorIndex(Index i) => new(Kind.Single, single: i);

    /// <summary>A range of positions, e.g. <c>1..^1</c>.</summary>
    public static implicit operator TensorIndex(Range r) => new(Kind.Range, range: r);

    /// <summary>An int64 index tensor or a bool mask (advanced indexing).</summary>
    public static implicit operator TensorIndex(Tensor t) => new(Kind.Tensor, tensor: t);

    /// <summary>
    /// Applies the indices to <paramref name="source"/>. Basic indices give a view. Tensor indices are gathered into
    /// <paramref name="advanced"/> (one per dimension of the view, null where no tensor index applies) for aten::index.
    /// </summary>
    internal static Tensor ApplyBasic(Tensor source, ReadOnlySpan<TensorIndex> indices, out Tensor?[]? advanced)
    {
        advanced = null;
        int consumed = 0;
        foreach (var ix in indices)
        {
            consumed += ix._kind switch
            {
                Kind.Single or Kind.Range => 1,
                Kind.Tensor => ix._tensor!.DType == DType.Bool ? ix._tensor.Dim : 1,
                _ => 0,
            };
        }
        int rank = source.Dim;
        if (consumed > rank) throw new TorchException($"too many indices ({consumed}) for a tensor of rank {rank}");

        var advancedList = new List<Tensor?>();
        using var scope = DisposeScope.Begin();
        Tensor current = source;
        int dim = 0;
        foreach (var ix in indices)
        {
            switch (ix._kind)
            {
                case Kind.Single:
                    long size = current.Size(dim);
                    long at = ix._single.IsFromEnd ? size - ix._single.Value : ix._single.Value;
                    if (at < 0 || at >= size) throw new TorchException($"index {ix._single} is out of bounds for dimension {dim} of size {size}");
                    current = current.Select(dim, at);
                    break;
                case Kind.Range:
                    var (offset, length) = ix._range.GetOffsetAndLength((int)Math.Min(current.Size(dim), int.MaxValue));
                    current = current.Narrow(dim, offset, length);
                    advancedList.Add(null);
                    dim++;
                    break;
                case Kind.Ellipsis:
                    int skip = rank - consumed;
                    for (int k = 0; k < skip; k++) advancedList.Add(null);
                    dim += skip;
                    consumed = rank; // a second ellipsis adds nothing
                    break;
                case Kind.NewAxis:
                    current = current.Unsqueeze(dim);
                    advancedList.Add(null);
                    dim++;
                    break;
                case Kind.Tensor:
                    advancedList.Add(ix._tensor);
                    dim += ix._tensor!.DType == DType.Bool ? ix._tensor.Dim : 1;
                    break;
            }
        }
        if (advancedList.Any(t => t is not null)) advanced = advancedList.ToArray();
        return ReferenceEquals(current, source) ? source.Alias().MoveToOuterScope() : current.MoveToOuterScope();
    }
}

/// <summary>Indexing with C# indices and ranges, as in Python: <c>x[0, .., 1..^1]</c>.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// Reads a view (integers, ranges, <see cref="TensorIndex.Ellipsis"/>, <see cref="TensorIndex.NewAxis"/>) or a
    /// gathered copy (with index or mask tensors). Setting copies the value (broadcast) into the indexed elements.
    /// </summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public Tensor this[params TensorIndex[] indices]
    {
        get
        {
            var view = TensorIndex.ApplyBasic(this, indices, out var advanced);
            if (advanced is null) return view;
            using (view) return Ops.Call(Aten.Index, view, advanced);
        }
        set
        {
            using var view = TensorIndex.ApplyBasic(this, indices, out var advanced);
            using var source = DropLeadingOnes(value);
            if (advanced is null)
            {
                using var _ = view.Copy_(source);
            }
            else
            {
                using var _ = Ops.Call(Aten.IndexPut_, view, advanced, source, false);
            }
        }
    }

    /// <summary>The value without its leading dimensions of size 1, as PyTorch's <c>__setitem__</c> does before copying.</summary>
    private static Tensor DropLeadingOnes(Tensor value)
    {
        var shape = value.Shape;
        int k = 0;
        while (k < shape.Length && shape[k] == 1) k++;
        return k == 0 ? value.Alias() : value.Reshape(shape[k..]);
    }

    /// <summary>Copies <paramref name="value"/> into the elements where <paramref name="mask"/> is true.</summary>
    public Tensor MaskedFill(Tensor mask, double value) => Ops.Call(Aten.MaskedFillScalar, this, mask, value);

    /// <summary>Copies the 0-D <paramref name="value"/> into the elements where <paramref name="mask"/> is true.</summary>
    public Tensor MaskedFill(Tensor mask, Tensor value) => Ops.Call(Aten.MaskedFillTensor, this, mask, value);

    /// <summary>Element-wise choice: <paramref name="ifTrue"/> where <paramref name="condition"/>, else <paramref name="ifFalse"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor ifTrue, Tensor ifFalse) => Ops.Call(Aten.WhereSelf, condition, ifTrue, ifFalse);

    /// <summary>Element-wise choice with a scalar for the false case.</summary>
    public static Tensor Where(Tensor condition, Tensor ifTrue, double ifFalse) => Ops.Call(Aten.WhereScalarOther, condition, ifTrue, ifFalse);

    /// <summary>out[i][j] = this[index[i][j]][j] for dim 0 (and likewise for other dims).</summary>
    public Tensor Gather(int dim, Tensor index) => Ops.Call(Aten.Gather, this, dim, index);

    /// <summary>A copy with out[index[i][j]][j] = src[i][j] for dim 0 (and likewise).</summary>
    public Tensor Scatter(int dim, Tensor index, Tensor src) => Ops.Call(Aten.ScatterSrc, this, dim, index, src);

    /// <summary>A copy with <paramref name="value"/> written at the indexed positions.</summary>
    public Tensor Scatter(int dim, Tensor index, double value) => Ops.Call(Aten.ScatterValue, this, dim, index, value);

    /// <summary>A copy with src added at the indexed positions.</summary>
    public Tensor ScatterAdd(int dim, Tensor index, Tensor src) => Ops.Call(Aten.ScatterAdd, this, dim, index, src);

    /// <summary>The entries at <paramref name="index"/> (1-D int64) along <paramref name="dim"/>.</summary>
    public Tensor IndexSelect(int dim, Tensor index) => Ops.Call(Aten.IndexSelect, this, dim, index);
}
