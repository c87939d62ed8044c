using Exemplar.Models.Onnx.Proto;
using Exemplar.Torch;
using Google.Protobuf;

namespace Exemplar.Models.Onnx.Export;

/// <summary>
/// Appends nodes and initializers to a <see cref="GraphProto"/> with fresh value names; initializers stay libtorch
/// tensors (owned by the builder) until <see cref="Finish"/>, so passes such as BatchNorm folding can compute on them.
/// </summary>
internal sealed class OnnxGraphBuilder : IDisposable
{
    private readonly Dictionary<string, Tensor> _initializers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _next;

    /// <summary>The nodes so far, in topological order.</summary>
    public List<NodeProto> Nodes { get; } = [];

    /// <summary>Initializers by name (owned).</summary>
    public IReadOnlyDictionary<string, Tensor> Initializers => _initializers;

    /// <summary>A value name not used yet, starting with <paramref name="hint"/>.</summary>
    public string Fresh(string hint)
    {
        string name = hint;
        while (!_names.Add(name)) name = $"{hint}_{_next++}";
        return name;
    }

    /// <summary>Reserves a name given from outside (graph inputs).</summary>
    public void Reserve(string name)
    {
        if (!_names.Add(name)) throw new ArgumentException($"the name '{name}' is used twice");
    }

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Add(string opType, IEnumerable<string> inputs, params AttributeProto[] attributes) => AddMany(opType, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs and returns their names.</summary>
    public string[] AddMany(string opType, IEnumerable<string> inputs, int outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = Fresh(opType) };
        node.Input.AddRange(inputs);
        var names = new string[outputs];
        for (int k = 0; k < outputs; k++) names[k] = Fresh($"{node.Name}_out{k}");
        node.Output.AddRange(names);
        node.Attribute.AddRange(attributes);
        Nodes.Add(node);
        return names;
    }

    /// <summary>An initializer holding <paramref name="value"/> (the builder takes ownership).</summary>
    public string Initializer(Tensor value, string hint = "const")
    {
        string name = Fresh(hint);
        _initializers[name] = value.DetachFromScope();
        return name;
    }

    /// <summary>Replaces an initializer's value (the builder takes ownership of the new one).</summary>
    public void SetInitializer(string name, Tensor value)
    {
        _initializers[name].Dispose();
        _initializers[name] = value.DetachFromScope();
    }

    /// <summary>An int64 initializer: a vector, or a scalar when <paramref name="scalar"/>.</summary>
    public string Ints(long[] values, bool scalar = false) =>
        Initializer(scalar ? Tensor.Scalar(values[0]) : Tensor.From(values), "ints");

    /// <summary>A scalar initializer of <paramref name="dtype"/>.</summary>
    public string Scalar(double value, DType dtype) => Initializer(Tensor.Scalar(value).To(dtype), "scalar");

    /// <summary>Moves the nodes and initializers into <paramref name="graph"/>, dropping initializers no node reads.</summary>
    public void Finish(GraphProto graph)
    {
        var used = new HashSet<string>(Nodes.SelectMany(n => n.Input), StringComparer.Ordinal);
        foreach (var o in graph.Output) used.Add(o.Name);
        graph.Node.AddRange(Nodes);
        foreach (var (name, tensor) in _initializers)
        {
            if (used.Contains(name)) graph.Initializer.Add(ToProto(tensor, name));
        }
    }

    /// <summary>A <c>TensorProto</c> with the tensor's shape, type and raw little-endian data.</summary>
    public static TensorProto ToProto(Tensor tensor, string name)
    {
        using var cpu = tensor.Device.Type == DeviceType.Cpu ? tensor.Alias() : tensor.Cpu();
        var proto = new TensorProto { Name = name, DataType = (int)OnnxTypeOf(cpu.DType), RawData = ByteString.CopyFrom(cpu.ToBytes()) };
        proto.Dims.AddRange(cpu.Shape);
        return proto;
    }

    /// <summary>The ONNX element type of a libtorch dtype.</summary>
    public static OnnxDataType OnnxTypeOf(DType dtype) => dtype switch
    {
        DType.Float32 => OnnxDataType.Float,
        DType.Float64 => OnnxDataType.Double,
        DType.Float16 => OnnxDataType.Float16,
        DType.BFloat16 => OnnxDataType.BFloat16,
        DType.UInt8 => OnnxDataType.UInt8,
        DType.Int8 => OnnxDataType.Int8,
        DType.Int16 => OnnxDataType.Int16,
        DType.Int32 => OnnxDataType.Int32,
        DType.Int64 => OnnxDataType.Int64,
        DType.Bool => OnnxDataType.Bool,
        _ => throw new NotSupportedException($"{dtype} has no ONNX element type"),
    };

    /// <summary>Frees the initializers.</summary>
    public void Dispose()
    {
        foreach (var t in _initializers.Values) t.Dispose();
        _initializers.Clear();
    }

    /// <summary>An int attribute.</summary>
    public static AttributeProto Attr(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A float attribute.</summary>
    public static AttributeProto Attr(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>A string attribute.</summary>
    public static AttributeProto Attr(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>An ints attribute.</summary>
    public static AttributeProto Attr(string name, IEnumerable<long> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>A tensor attribute.</summary>
    public static AttributeProto Attr(string name, TensorProto value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };
}
