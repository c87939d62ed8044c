namespace Exemplar.Models.Onnx;

/// <summary>An ONNX <c>ValueInfoProto</c> (name = 1; the type is not read).</summary>
/// <param name="Name">The value's name.</param>
public sealed record OnnxValueInfo(string Name)
{
    internal static OnnxValueInfo Parse(ProtoReader reader)
    {
        string name = "";
        while (reader.TryReadTag(out int field, out var wire))
        {
            if (field == 1)
            {
                reader.Expect(wire, WireType.LengthDelimited, field);
                name = reader.ReadString();
            }
            else
            {
                reader.Skip(wire);
            }
        }
        return new OnnxValueInfo(name);
    }
}

/// <summary>
/// An ONNX <c>GraphProto</c>: node = 1 (in topological order), name = 2, initializer = 5, input = 11, output = 12,
/// value_info = 13.
/// </summary>
public sealed class OnnxGraph
{
    private readonly List<OnnxNode> _nodes = [];
    private readonly List<OnnxTensor> _initializers = [];
    private readonly Dictionary<string, OnnxTensor> _initializersByName = new(StringComparer.Ordinal);
    private readonly List<OnnxValueInfo> _inputs = [];
    private readonly List<OnnxValueInfo> _outputs = [];
    private readonly List<OnnxValueInfo> _valueInfo = [];

    private OnnxGraph(string source) => Source = source;

    /// <summary>The file the graph was read from.</summary>
    public string Source { get; }

    /// <summary>The graph's name.</summary>
    public string Name { get; private set; } = "";

    /// <summary>The nodes, in topological order.</summary>
    public IReadOnlyList<OnnxNode> Nodes => _nodes;

    /// <summary>Constant tensors (weights, quantisation scales and zero points).</summary>
    public IReadOnlyList<OnnxTensor> Initializers => _initializers;

    /// <summary>The graph's inputs.</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs => _inputs;

    /// <summary>The graph's outputs.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs => _outputs;

    /// <summary>Type information about intermediate values (names only here).</summary>
    public IReadOnlyList<OnnxValueInfo> ValueInfo => _valueInfo;

    /// <summary>The initializer called <paramref name="name"/>, or null when the value is not a constant.</summary>
    public OnnxTensor? Initializer(string name) => _initializersByName.GetValueOrDefault(name);

    internal static OnnxGraph Parse(ProtoReader reader)
    {
        var g = new OnnxGraph(reader.Source);
        while (reader.TryReadTag(out int field, out var wire))
        {
            switch (field)
            {
                case 1: reader.Expect(wire, WireType.LengthDelimited, field); g._nodes.Add(OnnxNode.Parse(reader.ReadMessage())); break;
                case 2: reader.Expect(wire, WireType.LengthDelimited, field); g.Name = reader.ReadString(); break;
                case 5:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    var tensor = OnnxTensor.Parse(reader.ReadMessage());
                    if (!g._initializersByName.TryAdd(tensor.Name, tensor)) throw reader.Error($"two initializers are named '{tensor.Name}'");
                    g._initializers.Add(tensor);
                    break;
                case 11: reader.Expect(wire, WireType.LengthDelimited, field); g._inputs.Add(OnnxValueInfo.Parse(reader.ReadMessage())); break;
                case 12: reader.Expect(wire, WireType.LengthDelimited, field); g._outputs.Add(OnnxValueInfo.Parse(reader.ReadMessage())); break;
                case 13: reader.Expect(wire, WireType.LengthDelimited, field); g._valueInfo.Add(OnnxValueInfo.Parse(reader.ReadMessage())); break;
                default: reader.Skip(wire); break;
            }
        }
        return g;
    }
}
