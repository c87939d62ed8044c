using Exemplar.Torch;

namespace Exemplar.Vision.Metrics;

/// <summary>Copies label maps out of tensors for the metrics (which count on the CPU in plain arrays).</summary>
internal static class LabelMaps
{
    /// <summary>The labels of an integer or bool tensor (any shape, any device) as int64, row-major.</summary>
    /// <remarks>Widened here rather than with a libtorch kernel: a plain copy is cheapest for one frame.</remarks>
    internal static long[] ToLongs(Tensor labels, string name)
    {
        ArgumentNullException.ThrowIfNull(labels, name);
        CheckIntegral(labels, name);
        using var cpu = OnCpu(labels);
        switch (cpu.DType)
        {
            case DType.Int64: return cpu.ToArray<long>();
            case DType.Int32: return Array.ConvertAll(cpu.ToArray<int>(), v => (long)v);
            case DType.Int16: return Array.ConvertAll(cpu.ToArray<short>(), v => (long)v);
            case DType.Int8: return Array.ConvertAll(cpu.ToArray<sbyte>(), v => (long)v);
            default: // uint8 and bool: one unsigned byte per element
                var bytes = cpu.ToBytes();
                var result = new long[bytes.Length];
                for (int i = 0; i < bytes.Length; i++) result[i] = bytes[i];
                return result;
        }
    }

    /// <summary>Whether each element of an integer or bool tensor is non-zero, row-major.</summary>
    internal static bool[] ToForeground(Tensor mask, string name)
    {
        ArgumentNullException.ThrowIfNull(mask, name);
        CheckIntegral(mask, name);
        using var cpu = OnCpu(mask);
        int size = cpu.DType.ElementSize();
        var bytes = cpu.ToBytes();
        var result = new bool[bytes.Length / size];
        if (size == 1)
        {
            for (int i = 0; i < result.Length; i++) result[i] = bytes[i] != 0;
            return result;
        }
        // An integer is non-zero when any of its bytes is.
        for (int i = 0, b = 0; i < result.Length; i++)
        {
            bool any = false;
            for (int k = 0; k < size; k++) any |= bytes[b++] != 0;
            result[i] = any;
        }
        return result;
    }

    private static Tensor OnCpu(Tensor t) => t.Device.Type == DeviceType.Cpu ? t.Alias() : t.Cpu();

    /// <summary>Throws unless both tensors have the same shape.</summary>
    internal static void CheckSameShape(Tensor a, Tensor b, string nameA, string nameB)
    {
        long[] sa = a.Shape, sb = b.Shape;
        if (!sa.AsSpan().SequenceEqual(sb))
        {
            throw new ArgumentException($"{nameA} has shape [{string.Join(", ", sa)}] but {nameB} has shape [{string.Join(", ", sb)}]; they must match");
        }
    }

    /// <summary>Throws unless the tensor is [H, W], returning H and W.</summary>
    internal static (int Height, int Width) CheckMap(Tensor t, string name)
    {
        long[] shape = t.Shape;
        if (shape.Length != 2) throw new ArgumentException($"{name}: expected a mask [H, W], got shape [{string.Join(", ", shape)}]", name);
        return ((int)shape[0], (int)shape[1]);
    }

    private static void CheckIntegral(Tensor t, string name)
    {
        var dtype = t.DType;
        if (dtype.IsFloatingPoint())
        {
            throw new ArgumentException($"{name}: label maps must be integer or bool, got {dtype} (take the argmax or threshold the scores first)", name);
        }
    }
}
