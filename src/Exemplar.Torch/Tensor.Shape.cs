namespace Exemplar.Torch;

/// <summary>Shape manipulation, views, joining and splitting, type and device conversion.</summary>
public sealed partial class Tensor
{
    /// <summary>A view with another shape (one entry may be -1); the data must be viewable (see <see cref="Reshape"/>).</summary>
    public Tensor View(params long[] shape) => Ops.Call(Aten.View, this, shape);

    /// <summary>The same elements with another shape (a view when possible, else a copy).</summary>
    public Tensor Reshape(params long[] shape) => Ops.Call(Aten.Reshape, this, shape);

    /// <summary>Reorders the dimensions: result dim i is input dim <c>dims[i]</c>.</summary>
    public Tensor Permute(params long[] dims) => Ops.Call(Aten.Permute, this, dims);

    /// <summary>Moves dimension <paramref name="source"/> to position <paramref name="destination"/>.</summary>
    public Tensor Movedim(int source, int destination) => Ops.Call(Aten.Movedim, this, new long[] { source }, new long[] { destination });

    /// <summary>Swaps two dimensions.</summary>
    public Tensor Transpose(int dim0, int dim1) => Ops.Call(Aten.Transpose, this, dim0, dim1);

    /// <summary>Transpose of a matrix (swaps the last two dimensions).</summary>
    public Tensor MT => Transpose(-2, -1);

    /// <summary>Merges dimensions <paramref name="startDim"/>..<paramref name="endDim"/> into one.</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1) => Ops.Call(Aten.Flatten, this, startDim, endDim);

    /// <summary>Splits dimension <paramref name="dim"/> into <paramref name="sizes"/>.</summary>
    public Tensor Unflatten(int dim, params long[] sizes) => Ops.Call(Aten.Unflatten, this, dim, sizes);

    /// <summary>A contiguous (row-major) tensor with the same elements; this one when already contiguous.</summary>
    public Tensor Contiguous() => Ops.Call(Aten.Contiguous, this);

    /// <summary>Whether the elements are stored row-major without gaps.</summary>
    /// <remarks>
    /// Computed from the sizes and strides as <c>c10::TensorImpl</c> does: <c>aten::is_contiguous</c> is a TorchScript
    /// builtin, not a dispatcher operator, in libtorch 1.13.
    /// </remarks>
    public bool IsContiguous
    {
        get
        {
            var shape = Shape;
            var strides = Strides;
            if (shape.Contains(0)) return true;
            long expected = 1;
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                if (shape[d] != 1 && strides[d] != expected) return false;
                expected *= shape[d];
            }
            return true;
        }
    }

    /// <summary>A broadcast view to <paramref name="shape"/> (-1 keeps a size).</summary>
    public Tensor Expand(params long[] shape) => Ops.Call(Aten.Expand, this, shape);

    /// <summary>Tiles the tensor <c>repeats[i]</c> times along dimension i.</summary>
    public Tensor Repeat(params long[] repeats) => Ops.Call(Aten.Repeat, this, repeats);

    /// <summary>Removes every dimension of size 1.</summary>
    public Tensor Squeeze() => Ops.Call(Aten.Squeeze, this);

    /// <summary>Removes dimension <paramref name="dim"/> if its size is 1.</summary>
    public Tensor Squeeze(int dim) => Ops.Call(Aten.SqueezeDim, this, dim);

    /// <summary>Inserts a dimension of size 1 at <paramref name="dim"/>.</summary>
    public Tensor Unsqueeze(int dim) => Ops.Call(Aten.Unsqueeze, this, dim);

    /// <summary>The view at <paramref name="index"/> along <paramref name="dim"/>, which disappears.</summary>
    public Tensor Select(int dim, long index) => Ops.Call(Aten.Select, this, dim, index);

    /// <summary>The view of elements [start, end) with <paramref name="step"/> along <paramref name="dim"/>.</summary>
    public Tensor Slice(int dim, long? start, long? end, long step = 1) =>
        Ops.Call(Aten.Slice, this, dim, OpArg.Optional(start), OpArg.Optional(end), step);

    /// <summary>The view of <paramref name="length"/> elements from <paramref name="start"/> along <paramref name="dim"/>.</summary>
    public Tensor Narrow(int dim, long start, long length) => Ops.Call(Aten.Narrow, this, dim, start, length);

    /// <summary>Reverses the order of elements along <paramref name="dims"/>.</summary>
    public Tensor Flip(params long[] dims) => Ops.Call(Aten.Flip, this, dims);

    /// <summary>Sliding windows of <paramref name="size"/> with <paramref name="step"/> along <paramref name="dim"/>, as a new last dimension.</summary>
    public Tensor Unfold(int dim, long size, long step) => Ops.Call(Aten.UnfoldDim, this, dim, size, step);

    /// <summary>A view with explicit sizes, strides (in elements) and storage offset over this tensor's storage.</summary>
    public Tensor AsStrided(long[] size, long[] stride, long storageOffset = 0) => Ops.Call(Aten.AsStrided, this, size, stride, storageOffset);

    /// <summary>Splits into pieces of <paramref name="splitSize"/> along <paramref name="dim"/> (the last may be smaller).</summary>
    public Tensor[] Split(long splitSize, int dim = 0) => Ops.CallMany(Aten.SplitTensor, this, splitSize, dim);

    /// <summary>Splits into pieces of the given sizes along <paramref name="dim"/>.</summary>
    public Tensor[] Split(long[] sizes, int dim = 0) => Ops.CallMany(Aten.SplitWithSizes, this, sizes, dim);

    /// <summary>Splits into <paramref name="chunks"/> nearly equal pieces along <paramref name="dim"/>.</summary>
    public Tensor[] Chunk(long chunks, int dim = 0) => Ops.CallMany(Aten.Chunk, this, chunks, dim);

    /// <summary>Joins tensors along an existing dimension.</summary>
    public static Tensor Cat(Tensor[] tensors, int dim = 0) => Ops.Call(Aten.Cat, tensors, dim);

    /// <summary>Joins tensors of one shape along a new dimension.</summary>
    public static Tensor Stack(Tensor[] tensors, int dim = 0) => Ops.Call(Aten.Stack, tensors, dim);

    /// <summary>Converts to <paramref name="dtype"/> (this tensor's data when it already has it).</summary>
    public Tensor To(DType dtype) => Ops.Call(Aten.ToDtype, this, dtype);

    /// <summary>Moves to <paramref name="device"/>, keeping the dtype.</summary>
    public Tensor To(Device device) => Ops.Call(Aten.ToDevice, this, device, DType);

    /// <summary>Moves to <paramref name="device"/> and converts to <paramref name="dtype"/>.</summary>
    public Tensor To(Device device, DType dtype) => Ops.Call(Aten.ToDevice, this, device, dtype);

    /// <summary>A copy on the CPU.</summary>
    public Tensor Cpu() => To(Device.Cpu);

    /// <summary>A tensor sharing the data but cut from the autograd graph.</summary>
    public Tensor Detach() => Ops.Call(Aten.Detach, this);

    /// <summary>A copy of the data (recorded by autograd).</summary>
    public Tensor Clone() => Ops.Call(Aten.Clone, this);

    /// <summary>A second handle to the same tensor (same data, same autograd identity), owned separately.</summary>
    public Tensor Alias()
    {
        var alias = Wrap(Native.NativeMethods.ex_tensor_clone_handle(NativeHandle));
        Tracing.OpTrace.Current?.RecordAlias(this, alias);
        return alias;
    }

    /// <summary>Matrix product with NumPy broadcasting rules.</summary>
    public Tensor Matmul(Tensor other) => CountMatmul(Ops.Call(Aten.Matmul, this, other));

    /// <summary>Batched matrix product: [B, n, m] × [B, m, p] → [B, n, p].</summary>
    public Tensor Bmm(Tensor other) => CountMatmul(Ops.Call(Aten.Bmm, this, other));

    private Tensor CountMatmul(Tensor output)
    {
        Nn.MacCounter.Current?.AddMatmul(output, Size(-1)); // Size is only read while counting
        return output;
    }

    /// <summary>Einstein summation, e.g. <c>Einsum("bchw,bkc-&gt;bkhw", x, w)</c>.</summary>
    public static Tensor Einsum(string equation, params Tensor[] operands) => Ops.Call(Aten.Einsum, equation, operands);
}
