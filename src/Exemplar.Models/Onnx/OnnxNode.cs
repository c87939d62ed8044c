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

/// <summary>An ONNX <c>AttributeProto</c>: name = 1, f = 2, i = 3, s = 4, t = 5, floats = 7, ints = 8, type = 20.</summary>
public sealed class OnnxAttribute
{
    private readonly List<float> _floats = [];
    private readonly List<long> _ints = [];

    /// <summary>The attribute's name (e.g. "strides").</summary>
    public string Name { get; private set; } = "";

    /// <summary>What it holds.</summary>
    public OnnxAttributeType Type { get; private set; }

    /// <summary>The float value.</summary>
    public float F { get; private set; }

    /// <summary>The int value.</summary>
    public long I { get; private set; }

    /// <summary>The string value (UTF-8 decoded).</summary>
    public string S { get; private set; } = "";

    /// <summary>The tensor value, or null.</summary>
    public OnnxTensor? T { get; private set; }

    /// <summary>The float list.</summary>
    public IReadOnlyList<float> Floats => _floats;

    /// <summary>The int list.</summary>
    public IReadOnlyList<long> Ints => _ints;

    internal static OnnxAttribute Parse(ProtoReader reader)
    {
        var a = new OnnxAttribute();
        var ints = new List<ulong>();
        while (reader.TryReadTag(out int field, out var wire))
        {
            switch (field)
            {
                case 1: reader.Expect(wire, WireType.LengthDelimited, field); a.Name = reader.ReadString(); break;
                case 2: reader.Expect(wire, WireType.Fixed32, field); a.F = reader.ReadFloat(); break;
                case 3: reader.Expect(wire, WireType.Varint, field); a.I = reader.ReadInt64(); break;
                case 4: reader.Expect(wire, WireType.LengthDelimited, field); a.S = reader.ReadString(); break;
                case 5: reader.Expect(wire, WireType.LengthDelimited, field); a.T = OnnxTensor.Parse(reader.ReadMessage()); break;
                case 7: reader.ReadRepeatedFloat(wire, field, a._floats); break;
                case 8: reader.ReadRepeatedVarint(wire, field, ints); break;
                case 20: reader.Expect(wire, WireType.Varint, field); a.Type = (OnnxAttributeType)reader.ReadInt32(); break;
                default: reader.Skip(wire); break;
            }
        }
        a._ints.AddRange(ints.Select(v => unchecked((long)v)));
        return a;
    }
}

/// <summary>An ONNX <c>NodeProto</c>: input = 1, output = 2, name = 3, op_type = 4, attribute = 5, domain = 7.</summary>
public sealed class OnnxNode
{
    private readonly List<string> _inputs = [];
    private readonly List<string> _outputs = [];
    private readonly List<OnnxAttribute> _attributes = [];

    /// <summary>Names of the values it reads ("" for an omitted optional input).</summary>
    public IReadOnlyList<string> Inputs => _inputs;

    /// <summary>Names of the values it writes.</summary>
    public IReadOnlyList<string> Outputs => _outputs;

    /// <summary>The node's name (may be empty).</summary>
    public string Name { get; private set; } = "";

    /// <summary>The operator (e.g. "QLinearConv").</summary>
    public string OpType { get; private set; } = "";

    /// <summary>The operator set's domain ("" for the standard one, "com.microsoft" for onnxruntime's).</summary>
    public string Domain { get; private set; } = "";

    /// <summary>Its attributes.</summary>
    public IReadOnlyList<OnnxAttribute> Attributes => _attributes;

    /// <summary>The attribute called <paramref name="name"/>, or null.</summary>
    public OnnxAttribute? Attribute(string name) => _attributes.FirstOrDefault(a => a.Name == name);

    /// <summary>"OpType 'name'", for messages.</summary>
    public override string ToString() => Name.Length > 0 ? $"{OpType} '{Name}'" : OpType;

    internal static OnnxNode Parse(ProtoReader reader)
    {
        var n = new OnnxNode();
        while (reader.TryReadTag(out int field, out var wire))
        {
            switch (field)
            {
                case 1: reader.Expect(wire, WireType.LengthDelimited, field); n._inputs.Add(reader.ReadString()); break;
                case 2: reader.Expect(wire, WireType.LengthDelimited, field); n._outputs.Add(reader.ReadString()); break;
                case 3: reader.Expect(wire, WireType.LengthDelimited, field); n.Name = reader.ReadString(); break;
                case 4: reader.Expect(wire, WireType.LengthDelimited, field); n.OpType = reader.ReadString(); break;
                case 5: reader.Expect(wire, WireType.LengthDelimited, field); n._attributes.Add(OnnxAttribute.Parse(reader.ReadMessage())); break;
                case 7: reader.Expect(wire, WireType.LengthDelimited, field); n.Domain = reader.ReadString(); break;
                default: reader.Skip(wire); break;
            }
        }
        return n;
    }
}
