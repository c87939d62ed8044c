namespace Exemplar.Torch;

public static partial class Functional
{
    /// <summary>
    /// Fake quantisation with one scale and zero point (<c>torch.fake_quantize_per_tensor_affine</c>):
    /// (clamp(round(x / scale) + zeroPoint, qmin, qmax) − zeroPoint) · scale, in x's dtype; the gradient passes
    /// straight through inside the range and is zero outside (the straight-through estimator). Exported to ONNX as
    /// QuantizeLinear → DequantizeLinear.
    /// </summary>
    public static Tensor FakeQuantizePerTensor(Tensor x, double scale, long zeroPoint, long quantMin, long quantMax) =>
        Ops.Call(QuantizationOps.FakeQuantizePerTensor, x, scale, zeroPoint, quantMin, quantMax);

    /// <summary>
    /// Fake quantisation with a scale and zero point per slice along <paramref name="axis"/>
    /// (<c>torch.fake_quantize_per_channel_affine</c>): scales [C] float32, zero points [C] int32 (or int64).
    /// </summary>
    public static Tensor FakeQuantizePerChannel(Tensor x, Tensor scales, Tensor zeroPoints, long axis, long quantMin, long quantMax) =>
        Ops.Call(QuantizationOps.FakeQuantizePerChannel, x, scales, zeroPoints, axis, quantMin, quantMax);

    internal static class QuantizationOps
    {
        internal static readonly Op FakeQuantizePerTensor = Op.Get("aten::fake_quantize_per_tensor_affine");
        internal static readonly Op FakeQuantizePerChannel = Op.Get("aten::fake_quantize_per_channel_affine");
    }
}
