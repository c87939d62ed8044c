using Exemplar.Torch;
using Exemplar.Torch.Tracing;

namespace Exemplar.Models.Onnx.Export;

/// <summary>What an ATen-to-ONNX mapping works with: the trace, the graph being built, and value ids → ONNX names.</summary>
internal sealed class OnnxExportContext(OpTrace trace, OnnxGraphBuilder builder, IReadOnlyDictionary<int, string> constantNames)
{
    private readonly Dictionary<int, string> _names = [];

    public OpTrace Trace { get; } = trace;

    public OnnxGraphBuilder Builder { get; } = builder;

    /// <summary>The ONNX name of a value; a constant becomes an initializer the first time it is asked for.</summary>
    public string Name(int value)
    {
        if (_names.TryGetValue(value, out var name)) return name;
        if (!Trace.Constants.TryGetValue(value, out var constant))
        {
            throw new InvalidOperationException($"value %{value} is used before any recorded call produced it");
        }
        name = Builder.Initializer(constant.Clone(), Sanitize(constantNames.GetValueOrDefault(value, "const")));
        _names[value] = name;
        return name;
    }

    /// <summary>The ONNX name of a tensor argument.</summary>
    public string Name(TracedArg arg) => arg.Kind == TracedKind.Tensor ? Name(arg.Value) : throw new NotSupportedException($"expected a tensor argument, got {arg}");

    /// <summary>Records that <paramref name="value"/> is the ONNX value <paramref name="name"/>.</summary>
    public void Bind(int value, string name) => _names[value] = name;

    /// <summary>Shape and dtype of a value while tracing.</summary>
    public TracedValueInfo Info(int value) => Trace.Info(value);

    /// <summary>Shape and dtype of a tensor argument.</summary>
    public TracedValueInfo Info(TracedArg arg) => Trace.Info(arg.Value);

    /// <summary>Whether a value is a constant (an initializer, known at export time).</summary>
    public bool IsConstant(int value) => Trace.Constants.ContainsKey(value);

    /// <summary>The constant's tensor (only for <see cref="IsConstant"/> values).</summary>
    public Tensor Constant(int value) => Trace.Constants[value];

    /// <summary><paramref name="name"/> cast to <paramref name="dtype"/> when <paramref name="from"/> differs.</summary>
    public string CastTo(string name, DType from, DType dtype) =>
        from == dtype ? name : Builder.Add("Cast", [name], OnnxGraphBuilder.Attr("to", (long)OnnxGraphBuilder.OnnxTypeOf(dtype)));

    /// <summary>A tensor argument cast to <paramref name="dtype"/>.</summary>
    public string Input(TracedArg arg, DType dtype) => CastTo(Name(arg), Info(arg).DType, dtype);

    private static string Sanitize(string name) => name.Replace('/', '.');
}
