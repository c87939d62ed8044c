using System.Runtime.InteropServices;
using Exemplar.Models.Onnx.Proto;
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
    private readonly TensorProto _proto;
    private readonly long[] _dims;

    internal OnnxTensor(string source, TensorProto proto)
    {
        Source = source;
        _proto = proto;
        _dims = [.. proto.Dims];
    }

    /// <summary>The file the tensor was read from.</summary>
    public string Source { get; }

    /// <summary>The tensor's name (initializers are referred to by it).</summary>
    public string Name => _proto.Name;

    /// <summary>Element type.</summary>
    public OnnxDataType DataType => (OnnxDataType)_proto.DataType;

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
        bool hasRaw = _proto.HasRawData;
        bool hasData = hasRaw || _proto.FloatData.Count + _proto.Int32Data.Count + _proto.Int64Data.Count + _proto.DoubleData.Count > 0;
        if (count == 0 && !hasData) return Tensor.Zeros(shape, dtype);
        if (hasRaw)
        {
            var raw = _proto.RawData.Memory;
            long expected = count * dtype.ElementSize();
            if (raw.Length != expected) throw Error($"raw_data holds {raw.Length} bytes, but {DataType} [{string.Join(", ", _dims)}] needs {expected}");
            if (!BitConverter.IsLittleEndian) throw Error("raw_data is little-endian and this machine is not");
            return Tensor.FromBytes(raw.Span, dtype, shape);
        }
        switch (DataType)
        {
            case OnnxDataType.Float:
                CheckCount(_proto.FloatData.Count, count, "float_data");
                return Tensor.From<float>([.. _proto.FloatData], shape);
            case OnnxDataType.Double:
                CheckCount(_proto.DoubleData.Count, count, "double_data");
                return Tensor.From<double>([.. _proto.DoubleData], shape);
            case OnnxDataType.Int64:
                CheckCount(_proto.Int64Data.Count, count, "int64_data");
                return Tensor.From([.. _proto.Int64Data], shape);
            default:
                // int32_data carries every type of 32 bits or less, one element per varint (16-bit floats as their bits).
                CheckCount(_proto.Int32Data.Count, count, "int32_data");
                using (var wide = Tensor.From([.. _proto.Int32Data], shape))
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
        var bits = _proto.Int32Data.Select(v => unchecked((ushort)v)).ToArray();
        return Tensor.FromBytes(MemoryMarshal.AsBytes(bits.AsSpan()), dtype, shape);
    }

    private DType TorchType()
    {
        if (_proto.DataLocation == TensorProto.Types.DataLocation.External) throw Error("its data are stored in an external file, which this reader does not support");
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

    /// <summary>Checks the shape: no negative dimension, an element count that fits in 64 bits.</summary>
    internal void Validate()
    {
        foreach (long dim in _dims)
        {
            if (dim < 0) throw Error($"negative dimension {dim}");
        }
        try
        {
            _ = ElementCount;
        }
        catch (OverflowException)
        {
            throw Error($"shape [{string.Join(", ", _dims)}] overflows");
        }
    }
}
