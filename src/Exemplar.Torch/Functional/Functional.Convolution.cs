namespace Exemplar.Torch;

/// <summary>
/// Stateless neural-network functions (PyTorch's <c>torch.nn.functional</c>). Images are NCHW: [N, C, H, W].
/// </summary>
public static partial class Functional
{
    /// <summary>2-D convolution: input [N, Cin, H, W], weight [Cout, Cin/groups, kH, kW], bias [Cout] → [N, Cout, H', W'].</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Conv2d(input, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

    /// <summary>2-D convolution with per-axis (height, width) stride, padding and dilation.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups = 1) =>
        CountConvolution(
            input.Device.Type == DeviceType.Meta
                ? MetaConvolution(input, weight, stride, padding, dilation)
                : Ops.Call(ConvOps.Conv2d, input, weight, bias, Pair(stride), Pair(padding), Pair(dilation), groups),
            weight);

    /// <summary>
    /// Transposed 2-D convolution: input [N, Cin, H, W], weight [Cin, Cout/groups, kH, kW] →
    /// [N, Cout, (H-1)·stride - 2·padding + dilation·(kH-1) + outputPadding + 1, …].
    /// </summary>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1, int dilation = 1)
    {
        Nn.MacCounter.Current?.AddTransposedConvolution(input, weight);
        return Ops.Call(ConvOps.ConvTranspose2d, input, weight, bias, stride, padding, outputPadding, groups, dilation);
    }

    /// <summary>Max pooling: [N, C, H, W] → [N, C, H', W']; stride defaults to the kernel size.</summary>
    public static Tensor MaxPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false) =>
        Ops.Call(ConvOps.MaxPool2d, input, kernelSize, stride ?? kernelSize, padding, dilation, ceilMode);

    /// <summary>Average pooling: [N, C, H, W] → [N, C, H', W']; stride defaults to the kernel size.</summary>
    public static Tensor AvgPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true) =>
        Ops.Call(ConvOps.AvgPool2d, input, kernelSize, stride ?? kernelSize, padding, ceilMode, countIncludePad);

    /// <summary>Adaptive average pooling to a fixed output size: [N, C, H, W] → [N, C, outH, outW].</summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, int outputHeight, int outputWidth) =>
        Ops.Call(ConvOps.AdaptiveAvgPool2d, input, new long[] { outputHeight, outputWidth });

    /// <summary>Adaptive max pooling to a fixed output size: [N, C, H, W] → [N, C, outH, outW] (values only).</summary>
    public static Tensor AdaptiveMaxPool2d(Tensor input, int outputHeight, int outputWidth)
    {
        var outputs = Ops.CallMany(ConvOps.AdaptiveMaxPool2d, input, new long[] { outputHeight, outputWidth });
        outputs[1].Dispose();
        return outputs[0];
    }

    /// <summary>
    /// Extracts sliding patches (PyTorch's <c>F.unfold</c>, im2col): [N, C, H, W] → [N, C·kH·kW, L] where L is the
    /// number of patch positions.
    /// </summary>
    public static Tensor Unfold(Tensor input, int kernelSize, int dilation = 1, int padding = 0, int stride = 1) =>
        Ops.Call(ConvOps.Im2col, input, kernelSize, dilation, padding, stride);

    /// <summary>Sums patches back into an image (PyTorch's <c>F.fold</c>, col2im): [N, C·kH·kW, L] → [N, C, H, W].</summary>
    public static Tensor Fold(Tensor input, int outputHeight, int outputWidth, int kernelSize, int dilation = 1, int padding = 0, int stride = 1) =>
        Ops.Call(ConvOps.Col2im, input, new long[] { outputHeight, outputWidth }, kernelSize, dilation, padding, stride);

    private static long[] Pair((int H, int W) v) => [v.H, v.W];

    /// <summary>
    /// libtorch 1.13 has no meta kernel for convolution, so on the meta device (used to count MACs of huge models) the
    /// output is an empty tensor of the shape the convolution would produce.
    /// </summary>
    private static Tensor MetaConvolution(Tensor input, Tensor weight, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation)
    {
        var x = input.Shape;
        var w = weight.Shape;
        if (x.Length != 4 || w.Length != 4) throw new TorchException($"Conv2d expects 4-D input and weight, got [{string.Join(", ", x)}] and [{string.Join(", ", w)}]");
        static long Out(long size, long k, int s, int p, int d) => (size + 2 * p - d * (k - 1) - 1) / s + 1;
        return Tensor.Empty([x[0], w[0], Out(x[2], w[2], stride.H, padding.H, dilation.H), Out(x[3], w[3], stride.W, padding.W, dilation.W)], input.DType, Device.Meta);
    }

    private static Tensor CountConvolution(Tensor output, Tensor weight)
    {
        Nn.MacCounter.Current?.AddConvolution(output, weight);
        return output;
    }

    private static class ConvOps
    {
        internal static readonly Op Conv2d = Op.Get("aten::conv2d");
        internal static readonly Op ConvTranspose2d = Op.Get("aten::conv_transpose2d", "input");
        internal static readonly Op MaxPool2d = Op.Get("aten::max_pool2d");
        internal static readonly Op AvgPool2d = Op.Get("aten::avg_pool2d");
        internal static readonly Op AdaptiveAvgPool2d = Op.Get("aten::adaptive_avg_pool2d");
        internal static readonly Op AdaptiveMaxPool2d = Op.Get("aten::adaptive_max_pool2d");
        internal static readonly Op Im2col = Op.Get("aten::im2col");
        internal static readonly Op Col2im = Op.Get("aten::col2im");
    }
}
