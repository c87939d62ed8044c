using Exemplar.Torch.Native;

namespace Exemplar.Torch;

/// <summary>
/// Factories. Every factory takes an optional dtype (default float32) and device (default: the thread's default device,
/// see <see cref="UseDefaultDevice"/>, else the CPU).
/// </summary>
public sealed partial class Tensor
{
    [ThreadStatic] private static Device? _defaultDevice;

    private static OpArg DeviceArg(Device? device) => (device ?? _defaultDevice) is { } d ? d : OpArg.None;

    /// <summary>
    /// Makes <paramref name="device"/> the default of this thread's factories (those not given a device) until the
    /// returned guard is disposed — e.g. <see cref="Device.Meta"/> to build a huge model without allocating it.
    /// </summary>
    public static DefaultDeviceGuard UseDefaultDevice(Device device) => new(device);

    /// <summary>Restores the previous default device of its thread when disposed.</summary>
    public readonly struct DefaultDeviceGuard : IDisposable
    {
        private readonly Device? _previous;

        internal DefaultDeviceGuard(Device device)
        {
            _previous = _defaultDevice;
            _defaultDevice = device;
        }

        /// <inheritdoc/>
        public void Dispose() => _defaultDevice = _previous;
    }

    /// <summary>A tensor of the given shape filled with zeros.</summary>
    public static Tensor Zeros(long[] shape, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Call(Aten.Zeros, shape, dtype, OpArg.None, DeviceArg(device));

    /// <summary>A tensor of the given shape filled with ones.</summary>
    public static Tensor Ones(long[] shape, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Call(Aten.Ones, shape, dtype, OpArg.None, DeviceArg(device));

    /// <summary>A tensor of the given shape filled with <paramref name="value"/>.</summary>
    public static Tensor Full(long[] shape, double value, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Call(Aten.Full, shape, value, dtype, OpArg.None, DeviceArg(device));

    /// <summary>An uninitialised tensor of the given shape.</summary>
    public static Tensor Empty(long[] shape, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Call(Aten.Empty, shape, dtype, OpArg.None, DeviceArg(device));

    /// <summary>Zeros with the shape, dtype and device of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like) => Ops.Call(Aten.ZerosLike, like);

    /// <summary>Ones with the shape, dtype and device of <paramref name="like"/>.</summary>
    public static Tensor OnesLike(Tensor like) => Ops.Call(Aten.OnesLike, like);

    /// <summary>The 1-D tensor [start, start+step, …) up to, not including, <paramref name="end"/>.</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Call(Aten.ArangeStartStep, start, end, step, dtype, OpArg.None, DeviceArg(device));

    /// <summary>The 1-D tensor [0, 1, …, end-1] (int64 by default, as in PyTorch).</summary>
    public static Tensor Arange(long end, DType dtype = DType.Int64, Device? device = null) =>
        Ops.Call(Aten.ArangeStartStep, 0L, end, 1L, dtype, OpArg.None, DeviceArg(device));

    /// <summary><paramref name="steps"/> evenly spaced values from <paramref name="start"/> to <paramref name="end"/>, both included.</summary>
    public static Tensor Linspace(double start, double end, long steps, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Call(Aten.Linspace, start, end, steps, dtype, OpArg.None, DeviceArg(device));

    /// <summary>The n×m identity matrix (m defaults to n).</summary>
    public static Tensor Eye(long n, long? m = null, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Call(Aten.EyeM, n, m ?? n, dtype, OpArg.None, DeviceArg(device));

    /// <summary>Uniform samples in [0, 1).</summary>
    public static Tensor Rand(long[] shape, Generator? generator = null, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Call(Aten.RandGenerator, shape, generator, dtype, OpArg.None, DeviceArg(device));

    /// <summary>Standard normal samples.</summary>
    public static Tensor Randn(long[] shape, Generator? generator = null, DType dtype = DType.Float32, Device? device = null) =>
        Ops.Call(Aten.RandnGenerator, shape, generator, dtype, OpArg.None, DeviceArg(device));

    /// <summary>Uniform integers in [low, high).</summary>
    public static Tensor Randint(long low, long high, long[] shape, Generator? generator = null, DType dtype = DType.Int64, Device? device = null) =>
        Ops.Call(Aten.RandintLowGenerator, low, high, shape, generator, dtype, OpArg.None, DeviceArg(device));

    /// <summary>A random permutation of [0, n).</summary>
    public static Tensor Randperm(long n, Generator? generator = null, Device? device = null) =>
        Ops.Call(Aten.RandpermGenerator, n, generator, DType.Int64, OpArg.None, DeviceArg(device));

    /// <summary>A CPU tensor holding a copy of <paramref name="data"/>; the shape defaults to 1-D.</summary>
    /// <exception cref="TorchException">The shape does not hold exactly <c>data.Length</c> elements.</exception>
    public static Tensor From<T>(T[] data, params long[] shape) where T : unmanaged => From((ReadOnlySpan<T>)data, shape);

    /// <summary>A CPU tensor holding a copy of <paramref name="data"/>; the shape defaults to 1-D.</summary>
    public static unsafe Tensor From<T>(ReadOnlySpan<T> data, params long[] shape) where T : unmanaged
    {
        if (shape.Length == 0) shape = [data.Length];
        fixed (T* p = data)
        {
            return FromBytes(new ReadOnlySpan<byte>(p, data.Length * sizeof(T)), DTypeInfo.Of<T>(), shape);
        }
    }

    /// <summary>A 0-dimensional tensor holding <paramref name="value"/>.</summary>
    public static unsafe Tensor Scalar<T>(T value) where T : unmanaged =>
        FromBytes(new ReadOnlySpan<byte>(&value, sizeof(T)), DTypeInfo.Of<T>(), []);

    /// <summary>A CPU tensor of <paramref name="dtype"/> whose elements are the raw little-endian <paramref name="bytes"/>.</summary>
    public static unsafe Tensor FromBytes(ReadOnlySpan<byte> bytes, DType dtype, long[] shape)
    {
        fixed (byte* p = bytes) return FromPointer(p, bytes.Length, dtype, shape);
    }

    /// <summary>
    /// A CPU tensor of <paramref name="dtype"/> holding a copy of the <paramref name="nbytes"/> bytes at
    /// <paramref name="data"/>: no span, so no 2 GiB limit (e.g. a tensor in a memory-mapped file).
    /// </summary>
    internal static unsafe Tensor FromPointer(void* data, long nbytes, DType dtype, long[] shape)
    {
        fixed (long* s = shape) return Wrap(NativeMethods.ex_tensor_from_data(data, nbytes, s, shape.Length, (int)dtype));
    }
}
