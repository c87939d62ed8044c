using Exemplar.Torch;

namespace Exemplar.Vision.IO;

/// <summary>Checks and unpacks image tensors handed to encoders and drawing code.</summary>
internal static class ImageTensors
{
    /// <summary>Channels, height and width of an image tensor <c>[C, H, W]</c> or <c>[H, W]</c> (one channel).</summary>
    internal static (int Channels, int Height, int Width) ShapeOf(Tensor image, string paramName)
    {
        var shape = image.Shape;
        (long c, long h, long w) = shape.Length switch
        {
            2 => (1L, shape[0], shape[1]),
            3 => (shape[0], shape[1], shape[2]),
            _ => throw new ArgumentException($"an image tensor is [C, H, W] or [H, W], not [{string.Join(", ", shape)}]", paramName),
        };
        if (h < 1 || w < 1 || h > int.MaxValue || w > int.MaxValue)
        {
            throw new ArgumentException($"the image tensor has an unusable size [{string.Join(", ", shape)}]", paramName);
        }
        return ((int)c, (int)h, (int)w);
    }

    /// <summary>The samples of a uint8 image tensor interleaved (row-major, channels last).</summary>
    internal static byte[] InterleavedBytes(Tensor image, string paramName)
    {
        RequireDType(image, DType.UInt8, paramName);
        if (image.Dim == 2) return image.ToArray<byte>();
        using var hwc = image.Permute(1, 2, 0);
        return hwc.ToArray<byte>();
    }

    /// <summary>The samples of an integer image tensor interleaved, as int32.</summary>
    internal static int[] InterleavedInts(Tensor image, string paramName)
    {
        if (image.DType.IsFloatingPoint() || image.DType == DType.Bool)
        {
            throw new ArgumentException($"expected an integer tensor, got {image.DType}", paramName);
        }
        using var asInt = image.To(DType.Int32);
        if (asInt.Dim == 2) return asInt.ToArray<int>();
        using var hwc = asInt.Permute(1, 2, 0);
        return hwc.ToArray<int>();
    }

    internal static void RequireDType(Tensor t, DType dtype, string paramName)
    {
        if (t.DType != dtype)
        {
            throw new ArgumentException($"expected a {dtype} tensor, got {t.DType} (convert with To(DType.{dtype}) after scaling to its range)", paramName);
        }
    }
}
