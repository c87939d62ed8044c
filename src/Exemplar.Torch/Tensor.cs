using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Exemplar.Torch.Native;

namespace Exemplar.Torch;

/// <summary>
/// An n-dimensional array on a device, backed by a libtorch tensor; operations on it are recorded by autograd when
/// any input requires gradients. Dispose tensors (or create them inside a <see cref="DisposeScope"/>) to free their
/// memory deterministically; a finalizer frees the ones that are forgotten.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private const int MaxRank = 64;
    private readonly TensorHandle _handle;

    private Tensor(nint handle)
    {
        _handle = new TensorHandle(handle);
        Scope = DisposeScope.Current;
        Scope?.Add(this);
    }

    /// <summary>The scope that will free this tensor, or null when the caller owns it.</summary>
    internal DisposeScope? Scope { get; private set; }

    /// <summary>Wraps a native handle that this tensor now owns.</summary>
    internal static Tensor Wrap(nint handle) => new(NativeMethods.CheckHandle(handle));

    /// <summary>The raw handle for a native call; throws if the tensor was disposed.</summary>
    internal nint NativeHandle
    {
        get
        {
            if (_handle.IsClosed) throw new ObjectDisposedException(nameof(Tensor), "the tensor was disposed (by Dispose or by its DisposeScope)");
            return _handle.DangerousGetHandle();
        }
    }

    /// <summary>Number of native tensor handles alive in the process (for leak tests).</summary>
    public static long LiveCount => NativeMethods.ex_live_tensors();

    /// <summary>Whether the tensor was disposed.</summary>
    public bool IsDisposed => _handle.IsClosed;

    /// <summary>Frees the native tensor now (its storage is freed when no view of it remains).</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>Moves this tensor from its scope to the enclosing one (or to the caller when there is none) and returns it.</summary>
    public Tensor MoveToOuterScope()
    {
        if (Scope is { } scope)
        {
            Scope = scope.Outer;
            Scope?.Add(this);
        }
        return this;
    }

    /// <summary>Takes this tensor out of every scope: the caller must dispose it. Returns it.</summary>
    public Tensor DetachFromScope()
    {
        Scope = null;
        return this;
    }

    /// <summary>Number of dimensions.</summary>
    public int Dim => CheckRank(NativeMethods.ex_tensor_ndim(NativeHandle));

    /// <summary>The size of every dimension.</summary>
    public unsafe long[] Shape
    {
        get
        {
            long* buffer = stackalloc long[MaxRank];
            int n = CheckRank(NativeMethods.ex_tensor_shape(NativeHandle, buffer, MaxRank));
            return new ReadOnlySpan<long>(buffer, n).ToArray();
        }
    }

    /// <summary>The stride (in elements) of every dimension.</summary>
    public unsafe long[] Strides
    {
        get
        {
            long* buffer = stackalloc long[MaxRank];
            int n = CheckRank(NativeMethods.ex_tensor_strides(NativeHandle, buffer, MaxRank));
            return new ReadOnlySpan<long>(buffer, n).ToArray();
        }
    }

    /// <summary>Offset (in elements) of the first element in the storage.</summary>
    public long StorageOffset => NativeMethods.ex_tensor_storage_offset(NativeHandle);

    /// <summary>The size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public long Size(int dim)
    {
        var shape = Shape;
        int d = dim < 0 ? dim + shape.Length : dim;
        if (d < 0 || d >= shape.Length) throw new TorchException($"dimension {dim} out of range for a tensor of rank {shape.Length}");
        return shape[d];
    }

    /// <summary>Number of elements.</summary>
    public long NumEl
    {
        get
        {
            long n = 1;
            foreach (long s in Shape) n *= s;
            return n;
        }
    }

    /// <summary>The element type.</summary>
    public DType DType
    {
        get
        {
            int t = NativeMethods.ex_tensor_dtype(NativeHandle);
            NativeMethods.Check(t >= 0);
            return (DType)t;
        }
    }

    /// <summary>The device holding the data.</summary>
    public Device Device
    {
        get
        {
            NativeMethods.Check(NativeMethods.ex_tensor_device(NativeHandle, out int type, out int index) != 0);
            return new Device((DeviceType)type, type == (int)DeviceType.Cuda ? index : -1);
        }
    }

    /// <summary>Whether autograd records operations on this tensor. Only floating-point leaves can be set.</summary>
    public bool RequiresGrad
    {
        get => NativeMethods.ex_tensor_requires_grad(NativeHandle) == 1;
        set => NativeMethods.Check(NativeMethods.ex_tensor_set_requires_grad(NativeHandle, value ? 1 : 0) != 0);
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor (like <c>requires_grad_()</c>).</summary>
    public Tensor RequiresGrad_(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    /// <summary>Whether this tensor is a leaf of the autograd graph.</summary>
    public bool IsLeaf => NativeMethods.ex_tensor_is_leaf(NativeHandle) == 1;

    /// <summary>The accumulated gradient after <see cref="Backward"/>, or null. Each call returns a new handle to it.</summary>
    public Tensor? Grad
    {
        get
        {
            nint g = NativeMethods.ex_tensor_grad(NativeHandle);
            return g == 0 ? null : new Tensor(g);
        }
    }

    /// <summary>Sets the gradient (null clears it); it must match this tensor's shape, dtype and device. The tensor keeps a reference to it.</summary>
    internal void SetGrad(Tensor? grad) =>
        NativeMethods.Check(NativeMethods.ex_tensor_set_grad(NativeHandle, grad?.NativeHandle ?? 0) != 0);

    /// <summary>Clears the accumulated gradient (sets it to none, as <c>zero_grad(set_to_none=True)</c>).</summary>
    public void ZeroGrad() => NativeMethods.Check(NativeMethods.ex_tensor_zero_grad(NativeHandle) != 0);

    /// <summary>Back-propagates from this tensor, accumulating into the leaves' <see cref="Grad"/>.</summary>
    /// <param name="gradient">d(loss)/d(this); required unless this tensor has one element.</param>
    /// <param name="retainGraph">Keep the graph for another backward pass.</param>
    /// <param name="createGraph">Record the backward pass itself (for higher-order gradients).</param>
    public void Backward(Tensor? gradient = null, bool retainGraph = false, bool createGraph = false) =>
        NativeMethods.Check(NativeMethods.ex_tensor_backward(
            NativeHandle, gradient?.NativeHandle ?? 0, retainGraph ? 1 : 0, createGraph ? 1 : 0) != 0);

    /// <summary>Copies the elements, in row-major order, to a new array. <typeparamref name="T"/> must match <see cref="DType"/>.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        CheckElementType<T>();
        var result = new T[NumEl];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>Copies the elements, in row-major order, into <paramref name="destination"/> (exactly <see cref="NumEl"/> long).</summary>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        CheckElementType<T>();
        Tracing.OpTrace.Current?.CheckRead(this);
        fixed (T* p = destination)
        {
            NativeMethods.Check(NativeMethods.ex_tensor_copy_to(NativeHandle, p, (long)destination.Length * sizeof(T)) != 0);
        }
    }

    /// <summary>The raw bytes of the elements in row-major order (any dtype, e.g. bfloat16).</summary>
    public unsafe byte[] ToBytes()
    {
        Tracing.OpTrace.Current?.CheckRead(this);
        var bytes = new byte[NumEl * DType.ElementSize()];
        fixed (byte* p = bytes)
        {
            NativeMethods.Check(NativeMethods.ex_tensor_copy_to(NativeHandle, p, bytes.Length) != 0);
        }
        return bytes;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public T Item<T>() where T : unmanaged
    {
        if (NumEl != 1) throw new TorchException($"Item() needs a tensor with one element, this one has shape [{string.Join(", ", Shape)}]");
        return ToArray<T>()[0];
    }

    /// <summary>The value of a one-element tensor of any real type, as a double.</summary>
    public double ToDouble()
    {
        using var d = To(DType.Float64);
        return d.Item<double>();
    }

    /// <summary>Shape, dtype and device, and the values of small tensors (never of meta tensors, which have none).</summary>
    public override string ToString()
    {
        if (IsDisposed) return "Tensor(disposed)";
        var device = Device;
        var sb = new StringBuilder();
        sb.Append("Tensor[").Append(string.Join(", ", Shape)).Append("], ").Append(DType).Append(", ").Append(device);
        if (RequiresGrad) sb.Append(", requires_grad");
        // A value being traced has no elements to show: reading them would be recorded as data-dependent control flow.
        if (NumEl <= 16 && DType != DType.Bool && device.Type != DeviceType.Meta && Tracing.OpTrace.Current?.Records(this) != true)
        {
            try
            {
                using var flat = To(DType.Float64);
                sb.Append(": [").Append(string.Join(", ", flat.ToArray<double>().Select(v => v.ToString("G6", CultureInfo.InvariantCulture)))).Append(']');
            }
            catch (TorchException)
            {
                // A description must not fail: values that cannot be read are left out.
            }
        }
        return sb.ToString();
    }

    private void CheckElementType<T>() where T : unmanaged
    {
        var expected = DTypeInfo.Of<T>();
        var actual = DType;
        if (expected != actual)
        {
            throw new TorchException($"the tensor holds {actual} but {typeof(T).Name} ({expected}) was asked for; convert with To(DType.{expected}) first");
        }
    }

    private static int CheckRank(int n)
    {
        NativeMethods.Check(n >= 0);
        if (n > MaxRank) throw new TorchException($"tensors of rank {n} are not supported (at most {MaxRank})");
        return n;
    }
}
