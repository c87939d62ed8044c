using Exemplar.Torch;

namespace Exemplar.Vision.Transforms;

/// <summary>Checks and resampling shared by the transforms: images [3, H, W] or [N, 3, H, W], masks [H, W] or [N, H, W].</summary>
internal static class ImageTensors
{
    /// <summary>Throws unless <paramref name="image"/> is [3, H, W] uint8 or float32.</summary>
    internal static void CheckImage(Tensor image, string name, bool allowBatch = false)
    {
        long[] shape = image.Shape;
        bool single = shape.Length == 3 && shape[0] == 3;
        bool batch = allowBatch && shape.Length == 4 && shape[1] == 3;
        if (!single && !batch)
        {
            string expected = allowBatch ? "[3, H, W] or [N, 3, H, W]" : "[3, H, W]";
            throw new ArgumentException($"{name}: expected an RGB image {expected}, got shape [{string.Join(", ", shape)}]", name);
        }
        var dtype = image.DType;
        if (dtype is not (DType.UInt8 or DType.Float32))
        {
            throw new ArgumentException($"{name}: images must be uint8 or float32, got {dtype}", name);
        }
        if (shape[^1] == 0 || shape[^2] == 0) throw new ArgumentException($"{name}: the image is empty ({shape[^2]}x{shape[^1]})", name);
    }

    /// <summary>Throws unless <paramref name="mask"/> is a label map [H, W] (or [N, H, W]) of int64 or uint8.</summary>
    internal static void CheckMask(Tensor mask, string name, bool allowBatch = false)
    {
        long[] shape = mask.Shape;
        if (shape.Length != 2 && !(allowBatch && shape.Length == 3))
        {
            string expected = allowBatch ? "[H, W] or [N, H, W]" : "[H, W]";
            throw new ArgumentException($"{name}: expected a label map {expected}, got shape [{string.Join(", ", shape)}]", name);
        }
        var dtype = mask.DType;
        if (dtype is not (DType.Int64 or DType.UInt8))
        {
            throw new ArgumentException($"{name}: label maps must be int64 or uint8, got {dtype}", name);
        }
        if (shape[^1] == 0 || shape[^2] == 0) throw new ArgumentException($"{name}: the mask is empty ({shape[^2]}x{shape[^1]})", name);
    }

    /// <summary>Throws unless <paramref name="value"/> can be stored in a mask of <paramref name="dtype"/>.</summary>
    internal static void CheckFillFits(DType dtype, long value, string what)
    {
        if (dtype == DType.UInt8 && value is < 0 or > 255)
        {
            throw new ArgumentException($"{what} {value} does not fit in a uint8 mask (0..255); use an int64 mask or another value");
        }
    }

    /// <summary>
    /// Resizes an image [3, H, W] or [N, 3, H, W] to height x width, keeping its dtype (uint8 is resampled in float32,
    /// then rounded and clamped to [0, 255]). With <paramref name="scale"/>, sample positions follow that scale (output
    /// pixel d reads input position (d + 0.5) / scale − 0.5, as <c>F.interpolate(scale_factor=scale)</c>) instead of
    /// the ratio of the sizes.
    /// </summary>
    internal static Tensor ResizeImage(Tensor image, int height, int width, InterpolationMode mode, bool antialias, double? scale = null)
    {
        if (height < 1 || width < 1) throw new ArgumentException($"cannot resize an image to {height}x{width}");
        using var scope = DisposeScope.Begin();
        bool single = image.Dim == 3;
        var batch = single ? image.Unsqueeze(0) : image;
        var input = image.DType == DType.Float32 ? batch : batch.To(DType.Float32);
        bool filtered = mode is InterpolationMode.Bilinear or InterpolationMode.Bicubic;
        var resized = scale is { } s && filtered
            ? ResampleWithScale(input, height, width, mode, antialias, s)
            : Functional.Interpolate(input, height, width, mode, alignCorners: false, antialias: antialias && filtered);
        if (image.DType == DType.UInt8) resized = ToUInt8(resized);
        if (single) resized = resized.Squeeze(0);
        return resized.MoveToOuterScope();
    }

    /// <summary>The ATen kernels with both an output size and the scales that place the samples.</summary>
    private static Tensor ResampleWithScale(Tensor input, int height, int width, InterpolationMode mode, bool antialias, double scale)
    {
        string name = (mode, antialias) switch
        {
            (InterpolationMode.Bilinear, false) => "aten::upsample_bilinear2d",
            (InterpolationMode.Bilinear, true) => "aten::_upsample_bilinear2d_aa",
            (_, false) => "aten::upsample_bicubic2d",
            _ => "aten::_upsample_bicubic2d_aa",
        };
        return Ops.Call(name, "", input, new long[] { height, width }, false, scale, scale);
    }

    /// <summary>
    /// Resizes a label map [H, W] or [N, H, W] to height x width with nearest-neighbour sampling at pixel centres
    /// (PyTorch's <c>nearest-exact</c>, PIL's <c>NEAREST</c>): output index d reads input index
    /// floor((d + 0.5) · in / out), computed here in exact integer arithmetic so it never depends on rounding.
    /// </summary>
    /// <remarks>
    /// Centre sampling (rather than <c>nearest</c>'s floor(d · in / out)) does not shift the mask by half a pixel, and
    /// makes enlarging then shrinking back reproduce the mask exactly.
    /// </remarks>
    internal static Tensor ResizeMask(Tensor mask, int height, int width)
    {
        if (height < 1 || width < 1) throw new ArgumentException($"cannot resize a mask to {height}x{width}");
        using var scope = DisposeScope.Begin();
        int rank = mask.Dim;
        var device = mask.Device;
        var rows = NearestIndices((int)mask.Size(-2), height, device);
        var cols = NearestIndices((int)mask.Size(-1), width, device);
        return mask.IndexSelect(rank - 2, rows).IndexSelect(rank - 1, cols).MoveToOuterScope();
    }

    /// <summary>Source index of every output index for centre-aligned nearest resampling (int64 [outSize]).</summary>
    internal static Tensor NearestIndices(int inSize, int outSize, Device device)
    {
        var index = new long[outSize];
        for (long d = 0; d < outSize; d++) index[d] = (2 * d + 1) * inSize / (2L * outSize);
        var cpu = Tensor.From(index);
        if (device.Type == DeviceType.Cpu) return cpu;
        using (cpu) return cpu.To(device);
    }

    /// <summary>Pads the last two dimensions at the bottom and on the right with <paramref name="value"/>.</summary>
    internal static Tensor PadBottomRight(Tensor tensor, int bottom, int right, double value) =>
        Functional.Pad(tensor, [0, right, 0, bottom], PaddingMode.Constant, value);

    /// <summary>Rounds a float image to the nearest integer, clamps it to [0, 255] and converts it to uint8.</summary>
    internal static Tensor ToUInt8(Tensor image)
    {
        using var rounded = image.Round();
        using var clamped = rounded.Clamp(0, 255);
        return clamped.To(DType.UInt8);
    }

    /// <summary>Converts a uint8 image to float32 in [0, 255] (not rescaled), or aliases a float32 one.</summary>
    internal static Tensor ToFloat(Tensor image) => image.DType == DType.Float32 ? image.Alias() : image.To(DType.Float32);

    /// <summary>The largest pixel value of the image's range: 255 for uint8, 1 for float32.</summary>
    internal static double MaxValue(Tensor image) => image.DType == DType.UInt8 ? 255 : 1;

    /// <summary>Converts a float image back to <paramref name="dtype"/>: uint8 is rounded and clamped, float32 kept.</summary>
    internal static Tensor ToDType(Tensor image, DType dtype) => dtype == DType.UInt8 ? ToUInt8(image) : image.To(dtype);
}
