using Exemplar.Models.Onnx.Proto;
using Google.Protobuf;

namespace Exemplar.Models.Onnx;

/// <summary>An operator set a model imports (<c>OperatorSetIdProto</c>).</summary>
/// <param name="Domain">"" (or "ai.onnx") for the standard operators, e.g. "com.microsoft" for onnxruntime's.</param>
/// <param name="Version">The operator-set version.</param>
public sealed record OnnxOperatorSet(string Domain, long Version);

/// <summary>
/// An ONNX model file (<c>ModelProto</c>), parsed with the protobuf classes generated from
/// <c>Onnx/Proto/onnx.proto</c>. Tensor data stay in the parsed message until converted.
/// </summary>
public sealed class OnnxModel
{
    private OnnxModel(string source, ModelProto proto)
    {
        Source = source;
        Proto = proto;
        Graph = new OnnxGraph(source, proto.Graph);
        OpsetImports = [.. proto.OpsetImport.Select(o => new OnnxOperatorSet(o.Domain, o.Version))];
    }

    /// <summary>The file the model was read from.</summary>
    public string Source { get; }

    /// <summary>The parsed message (for graph surgery by the exporter).</summary>
    internal ModelProto Proto { get; }

    /// <summary>The ONNX IR version.</summary>
    public long IrVersion => Proto.IrVersion;

    /// <summary>The tool that wrote the file.</summary>
    public string ProducerName => Proto.ProducerName;

    /// <summary>That tool's version.</summary>
    public string ProducerVersion => Proto.ProducerVersion;

    /// <summary>The operator sets the graph uses.</summary>
    public IReadOnlyList<OnnxOperatorSet> OpsetImports { get; }

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
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(bytes.Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxFormatException(source, $"not an ONNX model: the protobuf message is truncated or malformed ({e.Message})");
        }
        if (proto.Graph is null) throw new OnnxFormatException(source, "not an ONNX model: it has no graph (ModelProto field 7)");
        if (proto.IrVersion <= 0) throw new OnnxFormatException(source, $"not an ONNX model: ir_version is {proto.IrVersion}");
        var model = new OnnxModel(source, proto);
        model.Graph.Validate();
        return model;
    }
}
