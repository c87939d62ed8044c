namespace Exemplar.Torch;

public static partial class Functional
{
    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor x) => x.Device.Type == DeviceType.Meta ? ShapeOnly(x) : Ops.Call(ActivationOps.Relu, x);

    /// <summary>In place: max(x, 0).</summary>
    public static Tensor Relu_(Tensor x) => Ops.Call(ActivationOps.Relu_, x);

    /// <summary>min(max(x, 0), 6).</summary>
    public static Tensor Relu6(Tensor x) => x.Device.Type == DeviceType.Meta ? ShapeOnly(x) : Ops.Call(ActivationOps.Hardtanh, x, 0.0, 6.0);

    /// <summary>x for x &gt; 0, else slope·x.</summary>
    public static Tensor LeakyRelu(Tensor x, double negativeSlope = 0.01) => Ops.Call(ActivationOps.LeakyRelu, x, negativeSlope);

    /// <summary>GELU, exact (erf) or with the tanh approximation.</summary>
    public static Tensor Gelu(Tensor x, bool tanhApproximation = false) => Ops.Call(ActivationOps.Gelu, x, tanhApproximation ? "tanh" : "none");

    /// <summary>x · sigmoid(x) (swish).</summary>
    public static Tensor Silu(Tensor x) => Ops.Call(ActivationOps.Silu, x);

    /// <summary>1 / (1 + e^-x).</summary>
    public static Tensor Sigmoid(Tensor x) => Ops.Call(ActivationOps.Sigmoid, x);

    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor x) => Ops.Call(ActivationOps.Tanh, x);

    /// <summary>x · relu6(x + 3) / 6 (MobileNetV3).</summary>
    public static Tensor Hardswish(Tensor x) => Ops.Call(ActivationOps.Hardswish, x);

    /// <summary>Zeroes elements with probability <paramref name="p"/> and scales the rest by 1/(1-p), when training.</summary>
    public static Tensor Dropout(Tensor x, double p, bool training)
    {
        if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
        return Ops.Call(ActivationOps.Dropout, x, p, training);
    }

    /// <summary>One-hot encoding of int64 class ids: [...] → [..., classes] (int64); -1 infers the count.</summary>
    public static Tensor OneHot(Tensor labels, long classes = -1) => Ops.Call(ActivationOps.OneHot, labels, classes);

    private static class ActivationOps
    {
        internal static readonly Op Relu = Op.Get("aten::relu");
        internal static readonly Op Relu_ = Op.Get("aten::relu_");
        internal static readonly Op Hardtanh = Op.Get("aten::hardtanh");
        internal static readonly Op LeakyRelu = Op.Get("aten::leaky_relu");
        internal static readonly Op Gelu = Op.Get("aten::gelu");
        internal static readonly Op Silu = Op.Get("aten::silu");
        internal static readonly Op Sigmoid = Op.Get("aten::sigmoid");
        internal static readonly Op Tanh = Op.Get("aten::tanh");
        internal static readonly Op Hardswish = Op.Get("aten::hardswish");
        internal static readonly Op Dropout = Op.Get("aten::dropout");
        internal static readonly Op OneHot = Op.Get("aten::one_hot");
    }
}
