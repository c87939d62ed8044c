namespace Exemplar.Models.Onnx;

/// <summary>An operator set a model imports (<c>OperatorSetIdProto</c>: domain = 1, version = 2).</summary>
/// <param name="Domain">"" (or "ai.onnx") for the standard operators, e.g. "com.microsoft" for onnxruntime's.</param>
/// <param name="Version">The operator-set version.</param>
public sealed record OnnxOperatorSet(string Domain, long Version);

/// <summary>
/// An ONNX model file (<c>ModelProto</c>: ir_version = 1, producer_name = 2, producer_version = 3, graph = 7,
/// opset_import = 8), read with our own protobuf reader. Tensor data stay in the file's bytes until converted.
/// </summary>
public sealed class OnnxModel
{
    private readonly List<OnnxOperatorSet> _opsetImports = [];

    private OnnxModel(string source, OnnxGraph graph)
    {
        Source = source;
        Graph = graph;
    }

    /// <summary>The file the model was read from.</summary>
    public string Source { get; }

    /// <summary>The ONNX IR version.</summary>
    public long IrVersion { get; private set; }

    /// <summary>The tool that wrote the file.</summary>
    public string ProducerName { get; private set; } = "";

    /// <summary>That tool's version.</summary>
    public string ProducerVersion { get; private set; } = "";

    /// <summary>The operator sets the graph uses.</summary>
    public IReadOnlyList<OnnxOperatorSet> OpsetImports => _opsetImports;

    /// <summary>The computation graph.</summary>
    public OnnxGraph Graph { get; }

    /// <summary>Reads an .onnx file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="OnnxFormatException">The file is not a well-formed ONNX model (the message names it).</exception>
    public static OnnxModel Load(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Parses a serialized <c>ModelProto</c>; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="OnnxFormatException">The bytes are not a well-formed ONNX model.</exception>
    public static OnnxModel Parse(ReadOnlyMemory<byte> bytes, string source)
    {
        var reader = new ProtoReader(bytes, source);
        OnnxGraph? graph = null;
        long irVersion = 0;
        string producerName = "", producerVersion = "";
        var opsets = new List<OnnxOperatorSet>();
        while (reader.TryReadTag(out int field, out var wire))
        {
            switch (field)
            {
                case 1: reader.Expect(wire, WireType.Varint, field); irVersion = reader.ReadInt64(); break;
                case 2: reader.Expect(wire, WireType.LengthDelimited, field); producerName = reader.ReadString(); break;
                case 3: reader.Expect(wire, WireType.LengthDelimited, field); producerVersion = reader.ReadString(); break;
                case 7: reader.Expect(wire, WireType.LengthDelimited, field); graph = OnnxGraph.Parse(reader.ReadMessage()); break;
                case 8: reader.Expect(wire, WireType.LengthDelimited, field); opsets.Add(ParseOperatorSet(reader.ReadMessage())); break;
                default: reader.Skip(wire); break;
            }
        }
        if (graph is null) throw new OnnxFormatException(source, "not an ONNX model: it has no graph (ModelProto field 7)");
        if (irVersion <= 0) throw new OnnxFormatException(source, $"not an ONNX model: ir_version is {irVersion}");
        var model = new OnnxModel(source, graph) { IrVersion = irVersion, ProducerName = producerName, ProducerVersion = producerVersion };
        model._opsetImports.AddRange(opsets);
        return model;
    }

    private static OnnxOperatorSet ParseOperatorSet(ProtoReader reader)
    {
        string domain = "";
        long version = 0;
        while (reader.TryReadTag(out int field, out var wire))
        {
            switch (field)
            {
                case 1: reader.Expect(wire, WireType.LengthDelimited, field); domain = reader.ReadString(); break;
                case 2: reader.Expect(wire, WireType.Varint, field); version = reader.ReadInt64(); break;
                default: reader.Skip(wire); break;
            }
        }
        return new OnnxOperatorSet(domain, version);
    }
}
