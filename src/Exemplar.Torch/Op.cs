using System.Collections.Concurrent;
using Exemplar.Torch.Native;

namespace Exemplar.Torch;

/// <summary>
/// An ATen operator resolved once through the dispatcher (name plus overload, e.g. <c>aten::add</c> /
/// <c>Tensor</c>). Resolution is cached for the life of the process.
/// </summary>
public sealed class Op
{
    private static readonly ConcurrentDictionary<(string, string), Op> Cache = new();
    private nint _handle;

    private Op(string name, string overload)
    {
        Name = name;
        Overload = overload;
    }

    /// <summary>The qualified operator name, e.g. <c>aten::conv2d</c>.</summary>
    public string Name { get; }

    /// <summary>The overload name ("" for the default overload).</summary>
    public string Overload { get; }

    /// <summary>The operator <paramref name="name"/> with <paramref name="overload"/>, resolved lazily and cached.</summary>
    public static Op Get(string name, string overload = "") => Cache.GetOrAdd((name, overload), k => new Op(k.Item1, k.Item2));

    /// <summary>The native operator handle; resolving it throws <see cref="TorchException"/> for unknown operators.</summary>
    internal nint Handle
    {
        get
        {
            nint h = Volatile.Read(ref _handle);
            if (h != 0) return h;
            h = NativeMethods.ex_op_find(Name, Overload);
            if (h == 0) throw new TorchException($"unknown operator {this}: {NativeMethods.LastError()}");
            Volatile.Write(ref _handle, h);
            return h;
        }
    }

    /// <summary>The operator's schema as ATen writes it, e.g. <c>aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -&gt; Tensor</c>.</summary>
    public unsafe string Schema
    {
        get
        {
            long n = NativeMethods.ex_op_schema(Handle, null, 0);
            NativeMethods.Check(n >= 0);
            var buffer = new byte[n + 1];
            fixed (byte* p = buffer) NativeMethods.ex_op_schema(Handle, p, buffer.Length);
            return System.Text.Encoding.UTF8.GetString(buffer, 0, (int)n);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Overload.Length == 0 ? Name : $"{Name}.{Overload}";
}
