using System.Buffers.Binary;
using System.Text;

namespace Exemplar.Models.Tests.Onnx;

/// <summary>Test-only protobuf encoder, to write ONNX files (and malformed ones) for the reader and loader tests.</summary>
internal sealed class ProtoWriter
{
    private readonly List<byte> _bytes = [];

    public byte[] ToArray() => [.. _bytes];

    public ProtoWriter Tag(int field, int wireType)
    {
        RawVarint(((ulong)field << 3) | (uint)wireType);
        return this;
    }

    public ProtoWriter RawVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        _bytes.Add((byte)value);
        return this;
    }

    public ProtoWriter RawBytes(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes) _bytes.Add(b);
        return this;
    }

    public ProtoWriter Varint(int field, long value) => Tag(field, 0).RawVarint(unchecked((ulong)value));

    public ProtoWriter Float(int field, float value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        return Tag(field, 5).RawBytes(b);
    }

    public ProtoWriter Double(int field, double value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(b, value);
        return Tag(field, 1).RawBytes(b);
    }

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value) => Tag(field, 2).RawVarint((ulong)value.Length).RawBytes(value);

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    public ProtoWriter PackedVarints(int field, IEnumerable<long> values)
    {
        var packed = new ProtoWriter();
        foreach (long v in values) packed.RawVarint(unchecked((ulong)v));
        return Bytes(field, packed.ToArray());
    }

    public ProtoWriter PackedFloats(int field, IEnumerable<float> values)
    {
        var packed = new List<byte>();
        foreach (float v in values) packed.AddRange(BitConverter.GetBytes(v));
        return Bytes(field, packed.ToArray());
    }
}

/// <summary>Test-only builders of ONNX messages (field numbers from onnx.proto).</summary>
internal static class OnnxWriter
{
    public static ProtoWriter Tensor(string name, int dataType, long[] dims, byte[] raw) =>
        new ProtoWriter().PackedVarints(1, dims).Varint(2, dataType).String(8, name).Bytes(9, raw);

    public static ProtoWriter Int8Tensor(string name, long[] dims, sbyte value) =>
        Tensor(name, 3, dims, Enumerable.Repeat(unchecked((byte)value), (int)dims.Aggregate(1L, (a, d) => a * d)).ToArray());

    public static ProtoWriter UInt8Scalar(string name, byte value) => Tensor(name, 2, [], [value]);

    public static ProtoWriter FloatTensor(string name, long[] dims, float value) =>
        Tensor(name, 1, dims, Enumerable.Range(0, (int)dims.Aggregate(1L, (a, d) => a * d)).SelectMany(_ => BitConverter.GetBytes(value)).ToArray());

    public static ProtoWriter Int32Tensor(string name, long[] dims, int value) =>
        Tensor(name, 6, dims, Enumerable.Range(0, (int)dims.Aggregate(1L, (a, d) => a * d)).SelectMany(_ => BitConverter.GetBytes(value)).ToArray());

    public static ProtoWriter IntsAttribute(string name, params long[] values) =>
        new ProtoWriter().String(1, name).PackedVarints(8, values).Varint(20, 7);

    public static ProtoWriter IntAttribute(string name, long value) => new ProtoWriter().String(1, name).Varint(3, value).Varint(20, 2);

    public static ProtoWriter Node(string opType, string[] inputs, string[] outputs, string name = "", string domain = "", params ProtoWriter[] attributes)
    {
        var node = new ProtoWriter();
        foreach (var i in inputs) node.String(1, i);
        foreach (var o in outputs) node.String(2, o);
        if (name.Length > 0) node.String(3, name);
        node.String(4, opType);
        foreach (var a in attributes) node.Message(5, a);
        if (domain.Length > 0) node.String(7, domain);
        return node;
    }

    public static ProtoWriter ValueInfo(string name) => new ProtoWriter().String(1, name);

    public static byte[] Model(IEnumerable<ProtoWriter> nodes, IEnumerable<ProtoWriter> initializers, string input = "input", string output = "output", bool microsoftOperators = false)
    {
        var graph = new ProtoWriter();
        foreach (var n in nodes) graph.Message(1, n);
        graph.String(2, "test-graph");
        foreach (var t in initializers) graph.Message(5, t);
        graph.Message(11, ValueInfo(input)).Message(12, ValueInfo(output));
        var model = new ProtoWriter()
            .Varint(1, 7)
            .String(2, "exemplar-tests")
            .Message(7, graph)
            .Message(8, new ProtoWriter().String(1, "").Varint(2, 12));
        if (microsoftOperators) model.Message(8, new ProtoWriter().String(1, "com.microsoft").Varint(2, 1));
        return model.ToArray();
    }
}
