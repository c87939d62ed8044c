namespace Exemplar.Torch;

/// <summary>Reductions. With <c>dims</c> they reduce those dimensions (negative counts from the end); without, all.</summary>
public sealed partial class Tensor
{
    /// <summary>Sum of all elements (0-D).</summary>
    public Tensor Sum(DType? dtype = null) => Ops.Call(Aten.Sum, this, OpArg.Optional(dtype));

    /// <summary>Sum over <paramref name="dims"/>: [..., d, ...] → [..., 1 if keepDim, ...].</summary>
    public Tensor Sum(long[] dims, bool keepDim = false, DType? dtype = null) => Ops.Call(Aten.SumDim, this, dims, keepDim, OpArg.Optional(dtype));

    /// <summary>Sum over one dimension.</summary>
    public Tensor Sum(int dim, bool keepDim = false) => Sum([dim], keepDim);

    /// <summary>Mean of all elements (0-D).</summary>
    public Tensor Mean() => Ops.Call(Aten.Mean, this);

    /// <summary>Mean over <paramref name="dims"/>.</summary>
    public Tensor Mean(long[] dims, bool keepDim = false) => Ops.Call(Aten.MeanDim, this, dims, keepDim);

    /// <summary>Mean over one dimension.</summary>
    public Tensor Mean(int dim, bool keepDim = false) => Mean([dim], keepDim);

    /// <summary>Largest element (0-D).</summary>
    public Tensor Max() => Ops.Call(Aten.Max, this);

    /// <summary>Largest values along <paramref name="dim"/> and their indices (int64).</summary>
    public (Tensor Values, Tensor Indices) Max(int dim, bool keepDim = false) => Pair(Ops.CallMany(Aten.MaxDim, this, dim, keepDim));

    /// <summary>Smallest element (0-D).</summary>
    public Tensor Min() => Ops.Call(Aten.Min, this);

    /// <summary>Smallest values along <paramref name="dim"/> and their indices (int64).</summary>
    public (Tensor Values, Tensor Indices) Min(int dim, bool keepDim = false) => Pair(Ops.CallMany(Aten.MinDim, this, dim, keepDim));

    /// <summary>Maximum over several dimensions (values only).</summary>
    public Tensor Amax(long[] dims, bool keepDim = false) => Ops.Call(Aten.Amax, this, dims, keepDim);

    /// <summary>Index of the largest element, of the flattened tensor when <paramref name="dim"/> is null (int64).</summary>
    public Tensor Argmax(int? dim = null, bool keepDim = false) => Ops.Call(Aten.Argmax, this, OpArg.Optional(dim), keepDim);

    /// <summary>Index of the smallest element, of the flattened tensor when <paramref name="dim"/> is null (int64).</summary>
    public Tensor Argmin(int? dim = null, bool keepDim = false) => Ops.Call(Aten.Argmin, this, OpArg.Optional(dim), keepDim);

    /// <summary>Standard deviation over <paramref name="dims"/> (all when null), with Bessel's correction when <paramref name="unbiased"/>.</summary>
    public Tensor Std(long[]? dims = null, bool unbiased = true, bool keepDim = false) =>
        Ops.Call(Aten.StdCorrection, this, OpArg.Optional(dims), unbiased ? 1 : 0, keepDim);

    /// <summary>Variance over <paramref name="dims"/> (all when null), with Bessel's correction when <paramref name="unbiased"/>.</summary>
    public Tensor Var(long[]? dims = null, bool unbiased = true, bool keepDim = false) =>
        Ops.Call(Aten.VarCorrection, this, OpArg.Optional(dims), unbiased ? 1 : 0, keepDim);

    /// <summary>The p-norm of all elements (0-D).</summary>
    public Tensor Norm(double p = 2) => Ops.Call(Aten.NormScalar, this, p);

    /// <summary>The p-norm over <paramref name="dims"/>.</summary>
    public Tensor Norm(double p, long[] dims, bool keepDim = false) => Ops.Call(Aten.NormScalarOptDim, this, p, dims, keepDim);

    /// <summary>log Σ exp over <paramref name="dims"/>, computed stably.</summary>
    public Tensor Logsumexp(long[] dims, bool keepDim = false) => Ops.Call(Aten.Logsumexp, this, dims, keepDim);

    /// <summary>Cumulative sum along <paramref name="dim"/>.</summary>
    public Tensor Cumsum(int dim, DType? dtype = null) => Ops.Call(Aten.Cumsum, this, dim, OpArg.Optional(dtype));

    /// <summary>Whether every element is true (0-D bool).</summary>
    public Tensor All() => Ops.Call(Aten.All, this);

    /// <summary>Whether any element is true (0-D bool).</summary>
    public Tensor Any() => Ops.Call(Aten.Any, this);

    /// <summary>Whether any element along <paramref name="dim"/> is non-zero (bool).</summary>
    public Tensor Any(int dim, bool keepDim = false) => Ops.Call("aten::any", "dim", this, dim, keepDim);

    /// <summary>The k largest (or smallest) values along <paramref name="dim"/> and their indices.</summary>
    public (Tensor Values, Tensor Indices) Topk(long k, int dim = -1, bool largest = true, bool sorted = true) =>
        Pair(Ops.CallMany(Aten.Topk, this, k, dim, largest, sorted));

    /// <summary>Sorted values along <paramref name="dim"/> and the permutation that sorts them.</summary>
    public (Tensor Values, Tensor Indices) Sort(int dim = -1, bool descending = false) =>
        Pair(Ops.CallMany(Aten.Sort, this, dim, descending));

    /// <summary>Indices of the non-zero elements: [count, rank], int64.</summary>
    public Tensor Nonzero() => Ops.Call(Aten.Nonzero, this);

    private static (Tensor, Tensor) Pair(Tensor[] outputs) => (outputs[0], outputs[1]);
}
