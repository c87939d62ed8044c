using System.Runtime.InteropServices;
using Exemplar.Torch.Native;
using Exemplar.Torch.Tracing;

namespace Exemplar.Torch;

/// <summary>
/// Calls any ATen operator through the dispatcher, with autograd recorded as usual. Arguments are positional as in
/// the schema; trailing arguments that are left out take the schema's defaults.
/// </summary>
/// <example><code>
/// using var y = Ops.Call("aten::leaky_relu", "", x, 0.2);
/// object?[] outs = Ops.Invoke("aten::max", "dim", x, 1, false); // values, indices
/// </code></example>
public static class Ops
{
    private const int InlineOutputs = 8;

    /// <summary>Calls an operator that returns one tensor.</summary>
    /// <exception cref="TorchException">ATen rejected the call (its message is kept), or the operator does not return exactly one tensor.</exception>
    public static Tensor Call(string name, string overload, params ReadOnlySpan<OpArg> args) => Call(Op.Get(name, overload), args);

    /// <summary>Calls a resolved operator that returns one tensor.</summary>
    public static unsafe Tensor Call(Op op, params ReadOnlySpan<OpArg> args)
    {
        var trace = OpTrace.Current;
        trace?.BeforeCall(op, args);
        NativeOutput* outs = stackalloc NativeOutput[InlineOutputs];
        long n = Execute(op, args, outs, InlineOutputs);
        if (n == 1 && outs[0].Kind == (int)NativeOutputKind.Tensor && outs[0].Handle != 0)
        {
            var result = Tensor.Wrap(outs[0].Handle);
            trace?.AfterCall(op, args, [result]);
            return result;
        }
        DisposeTensors(ConvertOutputs(outs, n, InlineOutputs));
        throw new TorchException($"{op} does not return exactly one defined tensor (it returned {n} outputs); use Ops.Invoke");
    }

    /// <summary>Calls an operator whose outputs are all defined tensors (a tuple or a list), returned in order.</summary>
    /// <exception cref="TorchException">ATen rejected the call, or an output is not a tensor or is an undefined one (nothing is leaked).</exception>
    public static Tensor[] CallMany(Op op, params ReadOnlySpan<OpArg> args) => AllTensors(op, Invoke(op, args));

    /// <summary>The tensors of <paramref name="outputs"/>, lists flattened; frees them all and throws if any output is not a defined tensor.</summary>
    internal static Tensor[] AllTensors(Op op, object?[] outputs)
    {
        var result = new List<Tensor>(outputs.Length);
        string? problem = null;
        foreach (var o in outputs)
        {
            switch (o)
            {
                case Tensor t: result.Add(t); break;
                case Tensor?[] ts:
                    foreach (var t in ts)
                    {
                        if (t is null) problem ??= "an undefined tensor in a list";
                        else result.Add(t);
                    }
                    break;
                default: problem ??= $"a non-tensor output ({o ?? "None or an undefined tensor"})"; break;
            }
        }
        if (problem is null) return result.ToArray();
        DisposeTensors(outputs);
        throw new TorchException($"{op} returned {problem}; use Ops.Invoke");
    }

    /// <summary>
    /// Calls any operator and returns every output: <see cref="Tensor"/>, <c>Tensor?[]</c> for lists (an undefined
    /// element is null), <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, or null for None and undefined tensors.
    /// </summary>
    public static object?[] Invoke(string name, string overload, params ReadOnlySpan<OpArg> args) => Invoke(Op.Get(name, overload), args);

    /// <summary>Calls a resolved operator and returns every output (see the other overload).</summary>
    public static unsafe object?[] Invoke(Op op, params ReadOnlySpan<OpArg> args)
    {
        var trace = OpTrace.Current;
        trace?.BeforeCall(op, args);
        NativeOutput* outs = stackalloc NativeOutput[InlineOutputs];
        long n = Execute(op, args, outs, InlineOutputs);
        var outputs = ConvertOutputs(outs, n, InlineOutputs);
        trace?.AfterCall(op, args, outputs);
        return outputs;
    }

    /// <summary>Frees every tensor among <paramref name="outputs"/> (an <see cref="Invoke(Op, ReadOnlySpan{OpArg})"/> result).</summary>
    private static void DisposeTensors(object?[] outputs)
    {
        foreach (var o in outputs)
        {
            if (o is Tensor t) t.Dispose();
            else if (o is Tensor?[] ts) foreach (var e in ts) e?.Dispose();
        }
    }

    private static unsafe object?[] ConvertOutputs(NativeOutput* inline, long n, int cap)
    {
        var flat = new NativeOutput[n];
        for (int k = 0; k < Math.Min(n, cap); k++) flat[k] = inline[k];
        if (n > cap)
        {
            fixed (NativeOutput* rest = &flat[cap]) NativeMethods.Check(NativeMethods.ex_take_outputs(cap, rest, n - cap) >= 0);
        }
        return ConvertOutputs(flat);
    }

    /// <summary>Wraps the flattened native outputs of one call; every handle is wrapped (owned) before this returns.</summary>
    internal static object?[] ConvertOutputs(ReadOnlySpan<NativeOutput> flat)
    {
        var values = new List<object?>();
        for (int k = 0; k < flat.Length; k++)
        {
            var o = flat[k];
            switch ((NativeOutputKind)o.Kind)
            {
                case NativeOutputKind.Tensor:
                    values.Add(WrapOrNull(o.Handle));
                    break;
                case NativeOutputKind.List:
                    var list = new Tensor?[o.I];
                    for (long e = 0; e < o.I; e++) list[e] = WrapOrNull(flat[++k].Handle);
                    values.Add(list);
                    break;
                case NativeOutputKind.Int: values.Add(o.I); break;
                case NativeOutputKind.Double: values.Add(o.D); break;
                case NativeOutputKind.Bool: values.Add(o.I != 0); break;
                default: values.Add(null); break;
            }
        }
        return values.ToArray();
    }

    /// <summary>An undefined tensor is reported as a null handle: it becomes null, not an error.</summary>
    private static Tensor? WrapOrNull(nint handle) => handle == 0 ? null : Tensor.Wrap(handle);

    /// <summary>Marshals the arguments, calls the operator, and returns the number of flattened outputs.</summary>
    private static unsafe long Execute(Op op, ReadOnlySpan<OpArg> args, NativeOutput* outs, int cap)
    {
        nint handle = op.Handle;
        int count = args.Length;
        NativeArg* native = stackalloc NativeArg[Math.Max(count, 1)];
        int tensorListItems = 0;
        foreach (var a in args)
        {
            if (a.Kind == OpArgKind.TensorList) tensorListItems += ((Tensor?[])a.Ref!).Length;
        }
        nint* handles = stackalloc nint[Math.Max(tensorListItems, 1)];
        Span<GCHandle> pins = count <= 16 ? stackalloc GCHandle[count] : new GCHandle[count];
        int pinned = 0;
        try
        {
            int nextHandle = 0;
            for (int k = 0; k < count; k++)
            {
                ref readonly OpArg a = ref args[k];
                ref NativeArg d = ref native[k];
                d = new NativeArg { Kind = (int)a.Kind, I = a.Int, D = a.Double };
                switch (a.Kind)
                {
                    case OpArgKind.Tensor:
                        d.P = ((Tensor)a.Ref!).NativeHandle;
                        break;
                    case OpArgKind.TensorList:
                        var ts = (Tensor?[])a.Ref!;
                        d.P = (nint)(handles + nextHandle);
                        d.N = ts.Length;
                        foreach (var t in ts) handles[nextHandle++] = t?.NativeHandle ?? 0;
                        break;
                    case OpArgKind.Generator:
                        d.P = ((Generator)a.Ref!).NativeHandle;
                        break;
                    case OpArgKind.Device:
                        d.N = (long)a.Double;
                        break;
                    case OpArgKind.IntList or OpArgKind.DoubleList or OpArgKind.BoolList or OpArgKind.String:
                        var array = (Array)a.Ref!;
                        pins[pinned] = GCHandle.Alloc(array, GCHandleType.Pinned);
                        d.P = pins[pinned++].AddrOfPinnedObject();
                        d.N = array.Length;
                        break;
                }
            }
            long n = NativeMethods.ex_op_call(handle, native, count, outs, cap);
            if (n < 0) throw new TorchException(NativeMethods.LastError());
            return n;
        }
        finally
        {
            for (int k = 0; k < pinned; k++) pins[k].Free();
            foreach (var a in args)
            {
                GC.KeepAlive(a.Ref);
            }
        }
    }
}
