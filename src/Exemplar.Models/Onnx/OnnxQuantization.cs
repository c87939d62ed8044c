using Exemplar.Torch;

namespace Exemplar.Models.Onnx;

/// <summary>
/// Undoes ONNX linear quantisation: real = (q - zero_point) · scale, with one scale (and zero point) for the whole
/// tensor or one per slice along an axis (per output channel for convolution weights).
/// </summary>
public static class OnnxQuantization
{
    /// <summary>Dequantises an initializer with initializers for its scale and zero point → float32 tensor, same shape.</summary>
    /// <param name="quantized">The integer tensor (uint8, int8 or int32).</param>
    /// <param name="scale">float scalar, [1], or [size of <paramref name="axis"/>].</param>
    /// <param name="zeroPoint">Same shape as <paramref name="scale"/>, the element type of <paramref name="quantized"/>; null means 0.</param>
    /// <param name="axis">The axis a vector scale runs along.</param>
    /// <exception cref="OnnxFormatException">The types or shapes do not fit together (the message names the file and tensors).</exception>
    public static Tensor Dequantize(OnnxTensor quantized, OnnxTensor scale, OnnxTensor? zeroPoint, int axis = 0)
    {
        if (scale.DataType != OnnxDataType.Float) throw Error(scale, $"a scale must be float, not {scale.DataType}");
        if (zeroPoint is not null && zeroPoint.DataType != quantized.DataType)
        {
            throw Error(zeroPoint, $"the zero point of '{quantized.Name}' must be {quantized.DataType}, not {zeroPoint.DataType}");
        }
        if (zeroPoint is not null && !zeroPoint.Dims.SequenceEqual(scale.Dims))
        {
            throw Error(zeroPoint, $"zero point shape [{string.Join(", ", zeroPoint.Dims)}] differs from scale '{scale.Name}' [{string.Join(", ", scale.Dims)}]");
        }
        using var scope = DisposeScope.Begin();
        var q = quantized.ToTensor();
        var s = scale.ToTensor();
        var z = zeroPoint?.ToTensor();
        try
        {
            return Dequantize(q, s, z, axis).MoveToOuterScope();
        }
        catch (ArgumentException e)
        {
            throw Error(quantized, e.Message);
        }
    }

    /// <summary>
    /// (q - zeroPoint) · scale in float64, returned as float32: q [..] integer, scale a scalar, [1] or [q.Size(axis)],
    /// zeroPoint null or shaped like scale.
    /// </summary>
    /// <exception cref="ArgumentException">The scale's shape does not fit <paramref name="quantized"/> along <paramref name="axis"/>.</exception>
    public static Tensor Dequantize(Tensor quantized, Tensor scale, Tensor? zeroPoint, int axis = 0)
    {
        using var scope = DisposeScope.Begin();
        var broadcast = BroadcastShape(quantized.Shape, scale.Shape, axis);
        var real = quantized.To(DType.Float64);
        if (zeroPoint is not null) real -= zeroPoint.To(DType.Float64).Reshape(broadcast);
        real *= scale.To(DType.Float64).Reshape(broadcast);
        return real.To(DType.Float32).MoveToOuterScope();
    }

    /// <summary>The single value of a scalar (or one-element) float initializer, e.g. an activation's scale.</summary>
    /// <exception cref="OnnxFormatException">The tensor holds more than one value.</exception>
    public static double ScalarOf(OnnxTensor tensor)
    {
        if (tensor.ElementCount != 1) throw Error(tensor, $"expected one value, found shape [{string.Join(", ", tensor.Dims)}]");
        using var t = tensor.ToTensor();
        return t.ToDouble();
    }

    private static long[] BroadcastShape(long[] quantized, long[] scale, int axis)
    {
        long count = scale.Aggregate(1L, (a, d) => a * d);
        var shape = new long[quantized.Length];
        Array.Fill(shape, 1L);
        if (count == 1 && scale.Length <= 1) return shape;
        if (axis < 0) axis += quantized.Length;
        if (scale.Length != 1 || axis < 0 || axis >= quantized.Length || scale[0] != quantized[axis])
        {
            throw new ArgumentException($"a scale of shape [{string.Join(", ", scale)}] does not fit [{string.Join(", ", quantized)}] along axis {axis}");
        }
        shape[axis] = scale[0];
        return shape;
    }

    private static OnnxFormatException Error(OnnxTensor tensor, string problem) => new(tensor.Source, $"tensor '{tensor.Name}': {problem}");
}
