using System.Runtime.InteropServices;
using Exemplar.Torch;

namespace Exemplar.Models.Onnx;

/// <summary>Element types of ONNX tensors (<c>TensorProto.DataType</c>).</summary>
public enum OnnxDataType
{
    /// <summary>Not set.</summary>
    Undefined = 0,
    /// <summary>float32.</summary>
    Float = 1,
    /// <summary>uint8.</summary>
    UInt8 = 2,
    /// <summary>int8.</summary>
    Int8 = 3,
    /// <summary>uint16.</summary>
    UInt16 = 4,
    /// <summary>int16.</summary>
    Int16 = 5,
    /// <summary>int32.</summary>
    Int32 = 6,
    /// <summary>int64.</summary>
    Int64 = 7,
    /// <summary>UTF-8 strings.</summary>
    String = 8,
    /// <summary>bool, one byte each.</summary>
    Bool = 9,
    /// <summary>IEEE half.</summary>
    Float16 = 10,
    /// <summary>float64.</summary>
    Double = 11,
    /// <summary>uint32.</summary>
    UInt32 = 12,
    /// <summary>uint64.</summary>
    UInt64 = 13,
    /// <summary>Two float32s.</summary>
    Complex64 = 14,
    /// <summary>Two float64s.</summary>
    Complex128 = 15,
    /// <summary>bfloat16.</summary>
    BFloat16 = 16,
}

/// <summary>
/// An ONNX <c>TensorProto</c>: dims = 1, data_type = 2, float_data = 4, int32_data = 5, int64_data = 7, name = 8,
/// raw_data = 9, double_data = 10, uint64_data = 11, data_location = 14. The data stay in the file's bytes until
/// <see cref="ToTensor"/> copies them into a libtorch tensor.
/// </summary>
public sealed class OnnxTensor
{
    private readonly List<long> _dims = [];
    private readonly List<float> _floatData = [];
    private readonly List<ulong> _int32Data = [];
    private readonly List<ulong> _int64Data = [];
    private readonly List<double> _doubleData = [];
    private ReadOnlyMemory<byte>? _rawData;
    private bool _external;

    private OnnxTensor(string source) => Source = source;

    /// <summary>The file the tensor was read from.</summary>
    public string Source { get; }

    /// <summary>The tensor's name (initializers are referred to by it).</summary>
    public string Name { get; private set; } = "";

    /// <summary>Element type.</summary>
    public OnnxDataType DataType { get; private set; }

    /// <summary>Shape (empty for a scalar).</summary>
    public IReadOnlyList<long> Dims => _dims;

    /// <summary>Number of elements (the product of <see cref="Dims"/>; 1 for a scalar).</summary>
    public long ElementCount => _dims.Aggregate(1L, (a, d) => checked(a * d));

    /// <summary>
    /// A CPU libtorch tensor with the same shape, element type and values (float → Float32, uint8 → UInt8,
    /// int8 → Int8, int16 → Int16, int32 → Int32, int64 → Int64, bool → Bool, float16 → Float16,
    /// double → Float64, bfloat16 → BFloat16).
    /// </summary>
    /// <exception cref="OnnxFormatException">Unsupported type, external data, or data that do not fill the shape.</exception>
    public Tensor ToTensor()
    {
        var dtype = TorchType();
        long count = ElementCount;
        long[] shape = [.. _dims];
        bool hasData = _rawData is not null || _floatData.Count + _int32Data.Count + _int64Data.Count + _doubleData.Count > 0;
        if (count == 0 && !hasData) return Tensor.Zeros(shape, dtype);
        if (_rawData is { } raw)
        {
            long expected = count * dtype.ElementSize();
            if (raw.Length != expected) throw Error($"raw_data holds {raw.Length} bytes, but {DataType} [{string.Join(", ", _dims)}] needs {expected}");
            if (!BitConverter.IsLittleEndian) throw Error("raw_data is little-endian and this machine is not");
            return Tensor.FromBytes(raw.Span, dtype, shape);
        }
        switch (DataType)
        {
            case OnnxDataType.Float:
                CheckCount(_floatData.Count, count, "float_data");
                return Tensor.From<float>(CollectionsMarshal.AsSpan(_floatData), shape);
            case OnnxDataType.Double:
                CheckCount(_doubleData.Count, count, "double_data");
                return Tensor.From<double>(CollectionsMarshal.AsSpan(_doubleData), shape);
            case OnnxDataType.Int64:
                CheckCount(_int64Data.Count, count, "int64_data");
                return Tensor.From(_int64Data.Select(v => unchecked((long)v)).ToArray(), shape);
            default:
                // int32_data carries every type of 32 bits or less, one element per varint (16-bit floats as their bits).
                CheckCount(_int32Data.Count, count, "int32_data");
                using (var wide = Tensor.From(_int32Data.Select(v => unchecked((int)v)).ToArray(), shape))
                {
                    return dtype switch
                    {
                        DType.Int32 => wide.Clone(),
                        DType.Float16 or DType.BFloat16 => Bits16(dtype, shape),
                        _ => wide.To(dtype),
                    };
                }
        }
    }

    private Tensor Bits16(DType dtype, long[] shape)
    {
        var bits = _int32Data.Select(v => unchecked((ushort)v)).ToArray();
        return Tensor.FromBytes(MemoryMarshal.AsBytes(bits.AsSpan()), dtype, shape);
    }

    private DType TorchType()
    {
        if (_external) throw Error("its data are stored in an external file, which this reader does not support");
        return DataType switch
        {
            OnnxDataType.Float => DType.Float32,
            OnnxDataType.UInt8 => DType.UInt8,
            OnnxDataType.Int8 => DType.Int8,
            OnnxDataType.Int16 => DType.Int16,
            OnnxDataType.Int32 => DType.Int32,
            OnnxDataType.Int64 => DType.Int64,
            OnnxDataType.Bool => DType.Bool,
            OnnxDataType.Float16 => DType.Float16,
            OnnxDataType.Double => DType.Float64,
            OnnxDataType.BFloat16 => DType.BFloat16,
            _ => throw Error($"data type {DataType} ({(int)DataType}) has no libtorch equivalent here"),
        };
    }

    private void CheckCount(int actual, long expected, string field)
    {
        if (actual != expected) throw Error($"{field} holds {actual} values, but [{string.Join(", ", _dims)}] needs {expected}");
    }

    private OnnxFormatException Error(string problem) => new(Source, $"tensor '{Name}': {problem}");

    internal static OnnxTensor Parse(ProtoReader reader)
    {
        var t = new OnnxTensor(reader.Source);
        var dims = new List<ulong>();
        while (reader.TryReadTag(out int field, out var wire))
        {
            switch (field)
            {
                case 1: reader.ReadRepeatedVarint(wire, field, dims); break;
                case 2: reader.Expect(wire, WireType.Varint, field); t.DataType = (OnnxDataType)reader.ReadInt32(); break;
                case 4: reader.ReadRepeatedFloat(wire, field, t._floatData); break;
                case 5: reader.ReadRepeatedVarint(wire, field, t._int32Data); break;
                case 7: reader.ReadRepeatedVarint(wire, field, t._int64Data); break;
                case 8: reader.Expect(wire, WireType.LengthDelimited, field); t.Name = reader.ReadString(); break;
                case 9: reader.Expect(wire, WireType.LengthDelimited, field); t._rawData = reader.ReadBytes(); break;
                case 10: reader.ReadRepeatedDouble(wire, field, t._doubleData); break;
                case 14: reader.Expect(wire, WireType.Varint, field); t._external = reader.ReadInt32() == 1; break;
                default: reader.Skip(wire); break;
            }
        }
        foreach (ulong d in dims)
        {
            long dim = unchecked((long)d);
            if (dim < 0) throw t.Error($"negative dimension {dim}");
            t._dims.Add(dim);
        }
        try
        {
            _ = t.ElementCount;
        }
        catch (OverflowException)
        {
            throw t.Error($"shape [{string.Join(", ", t._dims)}] overflows");
        }
        return t;
    }
}
