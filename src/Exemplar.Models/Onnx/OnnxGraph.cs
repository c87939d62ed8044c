using Exemplar.Models.Onnx.Proto;

namespace Exemplar.Models.Onnx;

/// <summary>An ONNX <c>ValueInfoProto</c> (the type is not exposed).</summary>
/// <param name="Name">The value's name.</param>
public sealed record OnnxValueInfo(string Name);

/// <summary>An ONNX <c>GraphProto</c>: nodes in topological order, initializers, inputs, outputs.</summary>
public sealed class OnnxGraph
{
    private readonly Dictionary<string, OnnxTensor> _initializersByName = new(StringComparer.Ordinal);

    internal OnnxGraph(string source, GraphProto proto)
    {
        Source = source;
        Proto = proto;
        Nodes = [.. proto.Node.Select(n => new OnnxNode(source, n))];
        Initializers = [.. proto.Initializer.Select(t => new OnnxTensor(source, t))];
        Inputs = [.. proto.Input.Select(v => new OnnxValueInfo(v.Name))];
        Outputs = [.. proto.Output.Select(v => new OnnxValueInfo(v.Name))];
        ValueInfo = [.. proto.ValueInfo.Select(v => new OnnxValueInfo(v.Name))];
    }

    /// <summary>The file the graph was read from.</summary>
    public string Source { get; }

    internal GraphProto Proto { get; }

    /// <summary>The graph's name.</summary>
    public string Name => Proto.Name;

    /// <summary>The nodes, in topological order.</summary>
    public IReadOnlyList<OnnxNode> Nodes { get; }

    /// <summary>Constant tensors (weights, quantisation scales and zero points).</summary>
    public IReadOnlyList<OnnxTensor> Initializers { get; }

    /// <summary>The graph's inputs.</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }

    /// <summary>The graph's outputs.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs { get; }

    /// <summary>Type information about intermediate values (names only here).</summary>
    public IReadOnlyList<OnnxValueInfo> ValueInfo { get; }

    /// <summary>The initializer called <paramref name="name"/>, or null when the value is not a constant.</summary>
    public OnnxTensor? Initializer(string name) => _initializersByName.GetValueOrDefault(name);

    /// <summary>Indexes the initializers and checks what the protobuf schema cannot: unique names, sane shapes.</summary>
    internal void Validate()
    {
        foreach (var t in Initializers)
        {
            if (!_initializersByName.TryAdd(t.Name, t)) throw new OnnxFormatException(Source, $"two initializers are named '{t.Name}'");
            t.Validate();
        }
        foreach (var n in Nodes)
        {
            foreach (var a in n.Attributes) a.T?.Validate();
        }
    }
}
