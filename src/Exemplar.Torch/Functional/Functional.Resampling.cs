namespace Exemplar.Torch;

/// <summary>How <see cref="Functional.Interpolate(Tensor, int, int, InterpolationMode, bool, bool)"/> resamples.</summary>
public enum InterpolationMode
{
    /// <summary>PyTorch's <c>nearest</c> (floor of the scaled coordinate; what masks usually use).</summary>
    Nearest,
    /// <summary>PyTorch's <c>nearest-exact</c> (rounds to the nearest source pixel centre, like PIL).</summary>
    NearestExact,
    /// <summary>Bilinear.</summary>
    Bilinear,
    /// <summary>Bicubic (Keys, a = -0.75).</summary>
    Bicubic,
}

/// <summary>How <see cref="Functional.Pad"/> fills the border.</summary>
public enum PaddingMode
{
    /// <summary>A constant value.</summary>
    Constant,
    /// <summary>Mirror without repeating the edge.</summary>
    Reflect,
    /// <summary>Repeat the edge.</summary>
    Replicate,
    /// <summary>Wrap around.</summary>
    Circular,
}

/// <summary>How <see cref="Functional.GridSample"/> samples.</summary>
public enum GridSampleMode
{
    /// <summary>Bilinear.</summary>
    Bilinear = 0,
    /// <summary>Nearest.</summary>
    Nearest = 1,
    /// <summary>Bicubic.</summary>
    Bicubic = 2,
}

/// <summary>What <see cref="Functional.GridSample"/> reads outside the input.</summary>
public enum GridSamplePadding
{
    /// <summary>Zeros.</summary>
    Zeros = 0,
    /// <summary>The nearest border value.</summary>
    Border = 1,
    /// <summary>Reflection at the border.</summary>
    Reflection = 2,
}

public static partial class Functional
{
    /// <summary>Resizes [N, C, H, W] to [N, C, height, width].</summary>
    /// <param name="input">[N, C, H, W].</param>
    /// <param name="height">Output height.</param>
    /// <param name="width">Output width.</param>
    /// <param name="mode">Resampling filter.</param>
    /// <param name="alignCorners">Map corner pixel centres onto each other (bilinear and bicubic only).</param>
    /// <param name="antialias">Low-pass when downsampling, as PIL does (bilinear and bicubic only).</param>
    public static Tensor Interpolate(Tensor input, int height, int width, InterpolationMode mode = InterpolationMode.Nearest, bool alignCorners = false, bool antialias = false) =>
        Resample(input, [height, width], null, mode, alignCorners, antialias);

    /// <summary>Resizes [N, C, H, W] by a scale factor per axis (output = floor(size · scale)), as <c>F.interpolate(scale_factor=…)</c>.</summary>
    public static Tensor Interpolate(Tensor input, double scaleHeight, double scaleWidth, InterpolationMode mode = InterpolationMode.Nearest, bool alignCorners = false, bool antialias = false) =>
        Resample(input, null, [scaleHeight, scaleWidth], mode, alignCorners, antialias);

    private static Tensor Resample(Tensor input, long[]? size, double[]? scales, InterpolationMode mode, bool alignCorners, bool antialias)
    {
        if (input.Dim != 4) throw new TorchException($"Interpolate expects a 4-D [N, C, H, W] tensor, got rank {input.Dim}");
        bool filtered = mode is InterpolationMode.Bilinear or InterpolationMode.Bicubic;
        if (!filtered && (alignCorners || antialias))
        {
            throw new TorchException($"alignCorners and antialias apply to bilinear and bicubic only, not {mode}");
        }
        OpArg outputSize = size is null ? OpArg.None : size;
        OpArg scaleFactors = scales is null ? OpArg.None : scales;
        return mode switch
        {
            InterpolationMode.Nearest => Ops.Call(ResampleOps.Nearest, input, outputSize, scaleFactors),
            InterpolationMode.NearestExact => Ops.Call(ResampleOps.NearestExact, input, outputSize, scaleFactors),
            InterpolationMode.Bilinear => Ops.Call(antialias ? ResampleOps.BilinearAa : ResampleOps.Bilinear, input, outputSize, alignCorners, scaleFactors),
            _ => Ops.Call(antialias ? ResampleOps.BicubicAa : ResampleOps.Bicubic, input, outputSize, alignCorners, scaleFactors),
        };
    }

    /// <summary>
    /// Pads the last dimensions: <paramref name="pad"/> is (left, right, top, bottom, …) from the last dimension
    /// backwards, as in <c>F.pad</c>.
    /// </summary>
    public static Tensor Pad(Tensor input, long[] pad, PaddingMode mode = PaddingMode.Constant, double value = 0)
    {
        string name = mode switch
        {
            PaddingMode.Constant => "constant",
            PaddingMode.Reflect => "reflect",
            PaddingMode.Replicate => "replicate",
            _ => "circular",
        };
        return Ops.Call(ResampleOps.Pad, input, pad, name, mode == PaddingMode.Constant ? value : OpArg.None);
    }

    /// <summary>
    /// Samples input [N, C, H, W] at grid [N, Hout, Wout, 2] of (x, y) in [-1, 1] → [N, C, Hout, Wout].
    /// </summary>
    public static Tensor GridSample(Tensor input, Tensor grid, GridSampleMode mode = GridSampleMode.Bilinear, GridSamplePadding padding = GridSamplePadding.Zeros, bool alignCorners = false) =>
        Ops.Call(ResampleOps.GridSampler, input, grid, (long)mode, (long)padding, alignCorners);

    private static class ResampleOps
    {
        internal static readonly Op Nearest = Op.Get("aten::upsample_nearest2d", "vec");
        internal static readonly Op NearestExact = Op.Get("aten::_upsample_nearest_exact2d", "vec");
        internal static readonly Op Bilinear = Op.Get("aten::upsample_bilinear2d", "vec");
        internal static readonly Op BilinearAa = Op.Get("aten::_upsample_bilinear2d_aa", "vec");
        internal static readonly Op Bicubic = Op.Get("aten::upsample_bicubic2d", "vec");
        internal static readonly Op BicubicAa = Op.Get("aten::_upsample_bicubic2d_aa", "vec");
        internal static readonly Op Pad = Op.Get("aten::pad");
        internal static readonly Op GridSampler = Op.Get("aten::grid_sampler");
    }
}
