using Exemplar.Models.Onnx;

namespace Exemplar.Models.Tests.Onnx;

public class ProtoReaderTests
{
    private static ProtoReader Over(params byte[] bytes) => new(bytes, "test.bin");

    [Fact]
    public void ReadsVarintsAsTheProtobufDocumentationEncodesThem()
    {
        Assert.Equal(150UL, Over(0x96, 0x01).ReadVarint());
        Assert.Equal(300UL, Over(0xAC, 0x02).ReadVarint());
        Assert.Equal(0UL, Over(0x00).ReadVarint());
        // int64 -1 and int32 -2 are sign-extended to ten bytes.
        Assert.Equal(-1L, Over(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01).ReadInt64());
        Assert.Equal(-2, Over(0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01).ReadInt32());
        Assert.Equal(ulong.MaxValue, Over(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01).ReadVarint());
    }

    [Fact]
    public void ReadsFixedWidthValuesLittleEndian()
    {
        Assert.Equal(1.5f, Over(0x00, 0x00, 0xC0, 0x3F).ReadFloat());
        Assert.Equal(-2.0, Over(0, 0, 0, 0, 0, 0, 0, 0xC0).ReadDouble());
        Assert.Equal(0x04030201U, Over(1, 2, 3, 4).ReadFixed32());
    }

    [Fact]
    public void ReadsTagsAndSkipsUnknownFieldsOfEveryWireType()
    {
        var bytes = new ProtoWriter()
            .Varint(20, 123456789)            // unknown varint
            .Double(21, 3.25)                 // unknown 64-bit
            .String(22, "ignored")            // unknown length-delimited
            .Float(23, 1f)                    // unknown 32-bit
            .String(2, "kept")
            .ToArray();
        var reader = new ProtoReader(bytes, "test.bin");
        string? kept = null;
        var seen = new List<(int, WireType)>();
        while (reader.TryReadTag(out int field, out var wire))
        {
            seen.Add((field, wire));
            if (field == 2) kept = reader.ReadString();
            else reader.Skip(wire);
        }
        Assert.Equal("kept", kept);
        Assert.Equal([(20, WireType.Varint), (21, WireType.Fixed64), (22, WireType.LengthDelimited), (23, WireType.Fixed32), (2, WireType.LengthDelimited)], seen);
    }

    [Fact]
    public void ReadsRepeatedScalarsPackedOrOnePerTag()
    {
        var bytes = new ProtoWriter().PackedVarints(1, [3, 300, -1]).Varint(1, 7).PackedFloats(4, [0.5f, -2f]).Float(4, 8f).ToArray();
        var reader = new ProtoReader(bytes, "test.bin");
        var ints = new List<ulong>();
        var floats = new List<float>();
        while (reader.TryReadTag(out int field, out var wire))
        {
            if (field == 1) reader.ReadRepeatedVarint(wire, field, ints);
            else reader.ReadRepeatedFloat(wire, field, floats);
        }
        Assert.Equal([3L, 300L, -1L, 7L], ints.Select(v => unchecked((long)v)));
        Assert.Equal([0.5f, -2f, 8f], floats);
    }

    [Theory]
    [InlineData(new byte[] { 0x96 }, "truncated varint")]                                    // continuation bit, then nothing
    [InlineData(new byte[] { 0x12, 0x05, 0x61, 0x62 }, "claims 5 bytes but only 2 remain")] // string field cut short
    [InlineData(new byte[] { 0x0D, 0x00, 0x00 }, "truncated 32-bit value")]                 // fixed32 cut short
    [InlineData(new byte[] { 0x0B }, "wire type 3")]                                        // a group start
    [InlineData(new byte[] { 0x00 }, "invalid field number 0")]
    [InlineData(new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F }, "longer than 64 bits")]
    public void MalformedBytesRaiseAnErrorNamingTheFile(byte[] bytes, string expected)
    {
        var reader = new ProtoReader(bytes, "bad.onnx");
        var e = Assert.Throws<OnnxFormatException>(() =>
        {
            while (reader.TryReadTag(out _, out var wire)) reader.Skip(wire);
        });
        Assert.Equal("bad.onnx", e.FilePath);
        Assert.StartsWith("bad.onnx: ", e.Message);
        Assert.Contains(expected, e.Message);
    }
}
