using System.Runtime.InteropServices;

namespace Exemplar.Torch.Native;

/// <summary>P/Invoke declarations for the native shim (native/exemplar_native.h). Internal: the safe API wraps these.</summary>
internal static partial class NativeMethods
{
    private const string Lib = "exemplar_native";

    [LibraryImport(Lib)] internal static partial nint ex_last_error();

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint ex_op_find(string name, string overload);
    [LibraryImport(Lib)] internal static unsafe partial long ex_op_schema(nint op, byte* buf, long cap);
    [LibraryImport(Lib)] internal static unsafe partial long ex_op_call(nint op, NativeArg* args, long nargs, NativeOutput* outs, long cap);
    [LibraryImport(Lib)] internal static unsafe partial long ex_take_outputs(long from, NativeOutput* outs, long count);

    [LibraryImport(Lib)] internal static partial void ex_tensor_free(nint t);
    [LibraryImport(Lib)] internal static partial long ex_live_tensors();
    [LibraryImport(Lib)] internal static partial nint ex_tensor_clone_handle(nint t);
    [LibraryImport(Lib)] internal static unsafe partial nint ex_tensor_from_data(void* data, long nbytes, long* shape, int ndim, int dtype);
    [LibraryImport(Lib)] internal static unsafe partial int ex_tensor_copy_to(nint t, void* dst, long nbytes);
    [LibraryImport(Lib)] internal static partial int ex_tensor_ndim(nint t);
    [LibraryImport(Lib)] internal static unsafe partial int ex_tensor_shape(nint t, long* shape, int cap);
    [LibraryImport(Lib)] internal static unsafe partial int ex_tensor_strides(nint t, long* strides, int cap);
    [LibraryImport(Lib)] internal static partial long ex_tensor_storage_offset(nint t);
    [LibraryImport(Lib)] internal static partial int ex_tensor_dtype(nint t);
    [LibraryImport(Lib)] internal static partial int ex_tensor_device(nint t, out int type, out int index);
    [LibraryImport(Lib)] internal static partial int ex_tensor_requires_grad(nint t);
    [LibraryImport(Lib)] internal static partial int ex_tensor_set_requires_grad(nint t, int value);
    [LibraryImport(Lib)] internal static partial int ex_tensor_is_leaf(nint t);
    [LibraryImport(Lib)] internal static partial nint ex_tensor_grad(nint t);
    [LibraryImport(Lib)] internal static partial int ex_tensor_zero_grad(nint t);
    [LibraryImport(Lib)] internal static partial int ex_tensor_set_grad(nint t, nint grad);
    [LibraryImport(Lib)] internal static partial int ex_tensor_backward(nint t, nint gradient, int retainGraph, int createGraph);

    [LibraryImport(Lib)] internal static partial int ex_grad_enabled();
    [LibraryImport(Lib)] internal static partial int ex_set_grad_enabled(int enabled);
    [LibraryImport(Lib)] internal static partial int ex_autocast_cpu_enabled();
    [LibraryImport(Lib)] internal static partial int ex_autocast_set_cpu_enabled(int enabled);
    [LibraryImport(Lib)] internal static partial int ex_autocast_cpu_dtype();
    [LibraryImport(Lib)] internal static partial int ex_autocast_set_cpu_dtype(int dtype);
    [LibraryImport(Lib)] internal static partial int ex_autocast_increment_nesting();
    [LibraryImport(Lib)] internal static partial int ex_autocast_decrement_nesting();
    [LibraryImport(Lib)] internal static partial int ex_autocast_clear_cache();
    [LibraryImport(Lib)] internal static partial int ex_manual_seed(ulong seed);
    [LibraryImport(Lib)] internal static partial nint ex_generator_new(ulong seed);
    [LibraryImport(Lib)] internal static partial void ex_generator_free(nint g);
    [LibraryImport(Lib)] internal static partial int ex_num_threads();
    [LibraryImport(Lib)] internal static partial int ex_set_num_threads(int n);
    [LibraryImport(Lib)] internal static partial int ex_cuda_available();
    [LibraryImport(Lib)] internal static partial int ex_cuda_device_count();
    [LibraryImport(Lib)] internal static partial int ex_cuda_synchronize();
    [LibraryImport(Lib)] internal static partial nint ex_torch_version();
    [LibraryImport(Lib)] internal static partial nint ex_torch_config();

    /// <summary>The message of the last failed native call on this thread.</summary>
    internal static string LastError() => Marshal.PtrToStringUTF8(ex_last_error()) ?? "unknown native error";

    /// <summary>Throws <see cref="TorchException"/> with the native message when <paramref name="ok"/> is false.</summary>
    internal static void Check(bool ok)
    {
        if (!ok) throw new TorchException(LastError());
    }

    /// <summary>Returns <paramref name="handle"/>, or throws the native error when it is null.</summary>
    internal static nint CheckHandle(nint handle)
    {
        if (handle == 0) throw new TorchException(LastError());
        return handle;
    }
}

/// <summary>Mirror of <c>ex_arg</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeArg
{
    public int Kind;
    public int Reserved;
    public long I;
    public double D;
    public nint P;
    public long N;
}

/// <summary>Mirror of <c>ex_out</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeOutput
{
    public int Kind;
    public int Reserved;
    public long I;
    public double D;
    public nint Handle;
}

/// <summary>Mirror of <c>ex_out_kind</c>.</summary>
internal enum NativeOutputKind
{
    None = 0,
    Tensor = 1,
    List = 2,
    Int = 3,
    Double = 4,
    Bool = 5,
}
