using System.Text;

namespace Exemplar.Torch;

/// <summary>Kinds of boxed operator arguments; mirror of the shim's <c>ex_arg_kind</c>.</summary>
internal enum OpArgKind
{
    None = 0,
    Default = 1,
    Tensor = 2,
    TensorList = 3,
    Int = 4,
    IntList = 5,
    Double = 6,
    DoubleList = 7,
    Bool = 8,
    BoolList = 9,
    ScalarType = 10,
    String = 11,
    Generator = 12,
    Device = 13,
    MemoryFormat = 14,
}

/// <summary>Memory layouts, numbered as <c>c10::MemoryFormat</c>.</summary>
public enum MemoryFormat
{
    /// <summary>Row-major.</summary>
    Contiguous = 0,
    /// <summary>Keep the input's layout.</summary>
    Preserve = 1,
    /// <summary>NHWC for 4-D tensors.</summary>
    ChannelsLast = 2,
}

/// <summary>
/// One argument of an ATen operator call: a tensor, a list of tensors, an int, a list of ints, a float, a list of
/// floats, a bool, a dtype, a string, a device, a generator, None, or "the schema's default". Values convert
/// implicitly, so <c>Ops.Call("aten::sum", "dim_IntList", x, new long[] { 1 }, true)</c> reads like Python.
/// </summary>
public readonly struct OpArg
{
    internal readonly OpArgKind Kind;
    internal readonly long Int;
    internal readonly double Double;
    internal readonly object? Ref;

    private OpArg(OpArgKind kind, long i = 0, double d = 0, object? r = null)
    {
        Kind = kind;
        Int = i;
        Double = d;
        Ref = r;
    }

    /// <summary>Python's <c>None</c>.</summary>
    public static OpArg None => new(OpArgKind.None);

    /// <summary>The schema's default value for this position (lets a call skip to a later argument).</summary>
    public static OpArg Default => new(OpArgKind.Default);

    /// <summary>A tensor; null is None.</summary>
    public static implicit operator OpArg(Tensor? t) => t is null ? None : new(OpArgKind.Tensor, r: t);

    /// <summary>A list of tensors (<c>Tensor[]</c>); null entries are None for <c>Tensor?[]</c> schemas.</summary>
    public static implicit operator OpArg(Tensor?[] ts) => new(OpArgKind.TensorList, r: ts);

    /// <summary>An int (also accepted where the schema wants a float, a Scalar or <c>int[N]</c>).</summary>
    public static implicit operator OpArg(long v) => new(OpArgKind.Int, i: v);

    /// <summary>An int.</summary>
    public static implicit operator OpArg(int v) => new(OpArgKind.Int, i: v);

    /// <summary>A float or Scalar.</summary>
    public static implicit operator OpArg(double v) => new(OpArgKind.Double, d: v);

    /// <summary>A bool.</summary>
    public static implicit operator OpArg(bool v) => new(OpArgKind.Bool, i: v ? 1 : 0);

    /// <summary>A list of ints (<c>int[]</c>, <c>SymInt[]</c>).</summary>
    public static implicit operator OpArg(long[] v) => new(OpArgKind.IntList, r: v);

    /// <summary>A list of ints.</summary>
    public static implicit operator OpArg(int[] v) => new(OpArgKind.IntList, r: Array.ConvertAll(v, x => (long)x));

    /// <summary>A list of floats (<c>float[]?</c>, e.g. interpolation scale factors).</summary>
    public static implicit operator OpArg(double[] v) => new(OpArgKind.DoubleList, r: v);

    /// <summary>A list of bools (<c>bool[N]</c>).</summary>
    public static implicit operator OpArg(bool[] v) => new(OpArgKind.BoolList, r: Array.ConvertAll(v, b => b ? (byte)1 : (byte)0));

    /// <summary>A dtype (<c>ScalarType</c>).</summary>
    public static implicit operator OpArg(DType v) => new(OpArgKind.ScalarType, i: (long)v);

    /// <summary>A string (<c>str</c>), e.g. <c>"tanh"</c> for gelu's approximation.</summary>
    public static implicit operator OpArg(string v) => new(OpArgKind.String, r: Encoding.UTF8.GetBytes(v));

    /// <summary>A device.</summary>
    public static implicit operator OpArg(Device v) => new(OpArgKind.Device, i: (long)v.Type, d: v.Index);

    /// <summary>A random generator; null is None (the default generator).</summary>
    public static implicit operator OpArg(Generator? g) => g is null ? None : new(OpArgKind.Generator, r: g);

    /// <summary>A memory format.</summary>
    public static implicit operator OpArg(MemoryFormat v) => new(OpArgKind.MemoryFormat, i: (long)v);

    /// <summary>An optional int: null is None.</summary>
    public static OpArg Optional(long? v) => v.HasValue ? v.Value : None;

    /// <summary>An optional float: null is None.</summary>
    public static OpArg Optional(double? v) => v.HasValue ? v.Value : None;

    /// <summary>An optional dtype: null is None.</summary>
    public static OpArg Optional(DType? v) => v.HasValue ? v.Value : None;

    /// <summary>An optional int list: null is None.</summary>
    public static OpArg Optional(long[]? v) => v is null ? None : v;
}
