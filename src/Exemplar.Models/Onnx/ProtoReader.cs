using System.Buffers.Binary;
using System.Text;

namespace Exemplar.Models.Onnx;

/// <summary>How a protobuf field's value is encoded on the wire (the low three bits of its tag).</summary>
internal enum WireType
{
    /// <summary>Base-128 varint: int32, int64, uint64, bool, enum.</summary>
    Varint = 0,
    /// <summary>Eight little-endian bytes: fixed64, double.</summary>
    Fixed64 = 1,
    /// <summary>A varint length, then that many bytes: string, bytes, messages, packed repeated scalars.</summary>
    LengthDelimited = 2,
    /// <summary>Deprecated group start (proto2); not used by ONNX.</summary>
    StartGroup = 3,
    /// <summary>Deprecated group end (proto2); not used by ONNX.</summary>
    EndGroup = 4,
    /// <summary>Four little-endian bytes: fixed32, float.</summary>
    Fixed32 = 5,
}

/// <summary>
/// Reads the protobuf wire format from a byte range: tags, varints, fixed 32/64-bit values, length-delimited slices
/// (strings, bytes, nested messages, packed repeated scalars), and skips fields it does not know. Every malformed or
/// truncated encoding raises <see cref="OnnxFormatException"/> naming the file and the byte offset.
/// </summary>
internal sealed class ProtoReader
{
    private readonly ReadOnlyMemory<byte> _data;
    private readonly long _fileOffset;
    private int _position;

    /// <summary>Reads <paramref name="data"/>, which starts <paramref name="fileOffset"/> bytes into <paramref name="source"/>.</summary>
    public ProtoReader(ReadOnlyMemory<byte> data, string source, long fileOffset = 0)
    {
        _data = data;
        Source = source;
        _fileOffset = fileOffset;
    }

    /// <summary>The file being read (for error messages).</summary>
    public string Source { get; }

    /// <summary>Bytes read so far.</summary>
    public int Position => _position;

    /// <summary>Whether every byte has been read.</summary>
    public bool AtEnd => _position >= _data.Length;

    /// <summary>Reads the next field's tag; false at the end of the message.</summary>
    public bool TryReadTag(out int field, out WireType wireType)
    {
        if (AtEnd)
        {
            (field, wireType) = (0, default);
            return false;
        }
        long start = _position;
        ulong tag = ReadVarint();
        ulong number = tag >> 3;
        wireType = (WireType)(tag & 7);
        if (number == 0 || number > 536_870_911) throw ErrorAt(start, $"invalid field number {number}");
        if (wireType is not (WireType.Varint or WireType.Fixed64 or WireType.LengthDelimited or WireType.Fixed32))
        {
            throw ErrorAt(start, $"field {number} has wire type {(int)wireType}, which this reader does not accept (groups are not used by ONNX)");
        }
        field = (int)number;
        return true;
    }

    /// <summary>A base-128 varint (at most ten bytes).</summary>
    public ulong ReadVarint()
    {
        var span = _data.Span;
        long start = _position;
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (_position >= span.Length) throw ErrorAt(start, "truncated varint: the file is truncated or corrupt");
            byte b = span[_position++];
            if (shift == 63 && b > 1) throw ErrorAt(start, "varint longer than 64 bits");
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
        throw ErrorAt(start, "varint longer than ten bytes");
    }

    /// <summary>An int64 (two's complement in a varint).</summary>
    public long ReadInt64() => unchecked((long)ReadVarint());

    /// <summary>An int32 (negative values are sign-extended to ten bytes on the wire).</summary>
    public int ReadInt32() => unchecked((int)ReadVarint());

    /// <summary>Four little-endian bytes.</summary>
    public uint ReadFixed32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, "32-bit value"));

    /// <summary>Eight little-endian bytes.</summary>
    public ulong ReadFixed64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, "64-bit value"));

    /// <summary>An IEEE single.</summary>
    public float ReadFloat() => BitConverter.UInt32BitsToSingle(ReadFixed32());

    /// <summary>An IEEE double.</summary>
    public double ReadDouble() => BitConverter.UInt64BitsToDouble(ReadFixed64());

    /// <summary>A length-delimited value as a slice of the underlying bytes (no copy).</summary>
    public ReadOnlyMemory<byte> ReadBytes() => ReadLengthDelimited(out _);

    /// <summary>A length-delimited UTF-8 string.</summary>
    public string ReadString() => Encoding.UTF8.GetString(ReadBytes().Span);

    /// <summary>A nested message, as a reader over its bytes.</summary>
    public ProtoReader ReadMessage()
    {
        var bytes = ReadLengthDelimited(out long offset);
        return new ProtoReader(bytes, Source, _fileOffset + offset);
    }

    /// <summary>Skips a value of a field this reader does not need.</summary>
    public void Skip(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed64: Take(8, "64-bit value"); break;
            case WireType.Fixed32: Take(4, "32-bit value"); break;
            default: ReadLengthDelimited(out _); break;
        }
    }

    /// <summary>Reads a repeated varint field given either packed (one length-delimited run) or one element per tag.</summary>
    public void ReadRepeatedVarint(WireType wireType, int field, List<ulong> into)
    {
        if (wireType == WireType.Varint)
        {
            into.Add(ReadVarint());
            return;
        }
        Expect(wireType, WireType.LengthDelimited, field);
        var packed = ReadMessage();
        while (!packed.AtEnd) into.Add(packed.ReadVarint());
    }

    /// <summary>Reads a repeated float field, packed or not.</summary>
    public void ReadRepeatedFloat(WireType wireType, int field, List<float> into)
    {
        if (wireType == WireType.Fixed32)
        {
            into.Add(ReadFloat());
            return;
        }
        Expect(wireType, WireType.LengthDelimited, field);
        var packed = ReadMessage();
        if (packed._data.Length % 4 != 0) throw packed.ErrorAt(0, $"packed floats of field {field} are {packed._data.Length} bytes, not a multiple of 4");
        while (!packed.AtEnd) into.Add(packed.ReadFloat());
    }

    /// <summary>Reads a repeated double field, packed or not.</summary>
    public void ReadRepeatedDouble(WireType wireType, int field, List<double> into)
    {
        if (wireType == WireType.Fixed64)
        {
            into.Add(ReadDouble());
            return;
        }
        Expect(wireType, WireType.LengthDelimited, field);
        var packed = ReadMessage();
        if (packed._data.Length % 8 != 0) throw packed.ErrorAt(0, $"packed doubles of field {field} are {packed._data.Length} bytes, not a multiple of 8");
        while (!packed.AtEnd) into.Add(packed.ReadDouble());
    }

    /// <summary>Throws unless a known field arrived with the wire type its declaration implies.</summary>
    public void Expect(WireType actual, WireType expected, int field)
    {
        if (actual != expected) throw ErrorAt(_position, $"field {field} has wire type {actual}, expected {expected}");
    }

    /// <summary>An error at the current position, naming the file.</summary>
    public OnnxFormatException Error(string problem) => ErrorAt(_position, problem);

    private OnnxFormatException ErrorAt(long position, string problem) =>
        new(Source, $"{problem} (at byte {_fileOffset + position})");

    private ReadOnlyMemory<byte> ReadLengthDelimited(out long offset)
    {
        long start = _position;
        ulong length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
        {
            throw ErrorAt(start, $"a length-delimited field claims {length} bytes but only {_data.Length - _position} remain: the file is truncated or corrupt");
        }
        offset = _position;
        var slice = _data.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (_data.Length - _position < count) throw ErrorAt(_position, $"truncated {what}: the file is truncated or corrupt");
        var span = _data.Span.Slice(_position, count);
        _position += count;
        return span;
    }
}
