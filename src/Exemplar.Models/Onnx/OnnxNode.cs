using Exemplar.Models.Onnx.Proto;

namespace Exemplar.Models.Onnx;

/// <summary>What an <see cref="OnnxAttribute"/> holds (<c>AttributeProto.AttributeType</c>).</summary>
public enum OnnxAttributeType
{
    /// <summary>Not set (IR version 1 files).</summary>
    Undefined = 0,
    /// <summary>One float.</summary>
    Float = 1,
    /// <summary>One int64.</summary>
    Int = 2,
    /// <summary>One string.</summary>
    String = 3,
    /// <summary>One tensor.</summary>
    Tensor = 4,
    /// <summary>A subgraph (not read).</summary>
    Graph = 5,
    /// <summary>A list of floats.</summary>
    Floats = 6,
    /// <summary>A list of int64.</summary>
    Ints = 7,
    /// <summary>A list of strings (not read).</summary>
    Strings = 8,
    /// <summary>A list of tensors (not read).</summary>
    Tensors = 9,
    /// <summary>A list of subgraphs (not read).</summary>
    Graphs = 10,
    /// <summary>A sparse tensor (not read).</summary>
    SparseTensor = 11,
    /// <summary>A list of sparse tensors (not read).</summary>
    SparseTensors = 12,
}

/// <summary>An ONNX <c>AttributeProto</c>.</summary>
public sealed class OnnxAttribute
{
    internal OnnxAttribute(string source, AttributeProto proto)
    {
        Name = proto.Name;
        Type = (OnnxAttributeType)proto.Type;
        F = proto.F;
        I = proto.I;
        S = proto.S.ToStringUtf8();
        T = proto.T is null ? null : new OnnxTensor(source, proto.T);
        Floats = [.. proto.Floats];
        Ints = [.. proto.Ints];
    }

    /// <summary>The attribute's name (e.g. "strides").</summary>
    public string Name { get; }

    /// <summary>What it holds.</summary>
    public OnnxAttributeType Type { get; }

    /// <summary>The float value.</summary>
    public float F { get; }

    /// <summary>The int value.</summary>
    public long I { get; }

    /// <summary>The string value (UTF-8 decoded).</summary>
    public string S { get; }

    /// <summary>The tensor value, or null.</summary>
    public OnnxTensor? T { get; }

    /// <summary>The float list.</summary>
    public IReadOnlyList<float> Floats { get; }

    /// <summary>The int list.</summary>
    public IReadOnlyList<long> Ints { get; }
}

/// <summary>An ONNX <c>NodeProto</c>.</summary>
public sealed class OnnxNode
{
    internal OnnxNode(string source, NodeProto proto)
    {
        Inputs = [.. proto.Input];
        Outputs = [.. proto.Output];
        Name = proto.Name;
        OpType = proto.OpType;
        Domain = proto.Domain;
        Attributes = [.. proto.Attribute.Select(a => new OnnxAttribute(source, a))];
    }

    /// <summary>Names of the values it reads ("" for an omitted optional input).</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>Names of the values it writes.</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>The node's name (may be empty).</summary>
    public string Name { get; }

    /// <summary>The operator (e.g. "QLinearConv").</summary>
    public string OpType { get; }

    /// <summary>The operator set's domain ("" for the standard one, "com.microsoft" for onnxruntime's).</summary>
    public string Domain { get; }

    /// <summary>Its attributes.</summary>
    public IReadOnlyList<OnnxAttribute> Attributes { get; }

    /// <summary>The attribute called <paramref name="name"/>, or null.</summary>
    public OnnxAttribute? Attribute(string name) => Attributes.FirstOrDefault(a => a.Name == name);

    /// <summary>"OpType 'name'", for messages.</summary>
    public override string ToString() => Name.Length > 0 ? $"{OpType} '{Name}'" : OpType;
}
