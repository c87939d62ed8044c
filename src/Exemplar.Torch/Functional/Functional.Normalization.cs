namespace Exemplar.Torch;

public static partial class Functional
{
    /// <summary>Layer normalisation over the trailing dimensions <paramref name="normalizedShape"/>; weight and bias have that shape.</summary>
    public static Tensor LayerNorm(Tensor input, long[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
        input.Device.Type == DeviceType.Meta ? ShapeOnly(input) : Ops.Call(NormOps.LayerNorm, input, normalizedShape, weight, bias, eps);

    /// <summary>
    /// Batch normalisation of [N, C, …] per channel. In training mode the batch statistics are used and the running
    /// statistics (when given) are updated in place with <paramref name="momentum"/>; otherwise the running ones are used.
    /// </summary>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null, bool training = false, double momentum = 0.1, double eps = 1e-5) =>
        input.Device.Type == DeviceType.Meta
            ? ShapeOnly(input)
            : Ops.Call(NormOps.BatchNorm, input, weight, bias, runningMean, runningVar, training, momentum, eps, true);

    /// <summary>Group normalisation of [N, C, …] in <paramref name="groups"/> groups of channels; weight and bias are [C].</summary>
    public static Tensor GroupNorm(Tensor input, int groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
        input.Device.Type == DeviceType.Meta ? ShapeOnly(input) : Ops.Call(NormOps.GroupNorm, input, groups, weight, bias, eps);

    /// <summary>Divides by the p-norm along <paramref name="dim"/> (at least <paramref name="eps"/>), as <c>F.normalize</c>.</summary>
    public static Tensor Normalize(Tensor input, double p = 2, int dim = 1, double eps = 1e-12)
    {
        using var norm = input.Norm(p, [dim], keepDim: true);
        using var clamped = norm.Clamp(min: eps);
        return input / clamped;
    }

    /// <summary>Cosine similarity along <paramref name="dim"/> (broadcasting the other dimensions).</summary>
    public static Tensor CosineSimilarity(Tensor x1, Tensor x2, int dim = 1, double eps = 1e-8) =>
        Ops.Call(NormOps.CosineSimilarity, x1, x2, dim, eps);

    /// <summary>Softmax along <paramref name="dim"/>.</summary>
    public static Tensor Softmax(Tensor input, int dim, DType? dtype = null) => Ops.Call(NormOps.Softmax, input, dim, OpArg.Optional(dtype));

    /// <summary>Log-softmax along <paramref name="dim"/>.</summary>
    public static Tensor LogSoftmax(Tensor input, int dim, DType? dtype = null) => Ops.Call(NormOps.LogSoftmax, input, dim, OpArg.Optional(dtype));

    /// <summary>
    /// libtorch 1.13 lacks meta-device kernels for a few shape-preserving operators (batch, layer and group norm, ReLU, ReLU6) that models use;
    /// on the meta device (for counting parameters and MACs of huge models) they return an empty tensor of the input's
    /// shape instead.
    /// </summary>
    private static Tensor ShapeOnly(Tensor input) => Ops.Call(NormOps.EmptyLike, input);

    private static class NormOps
    {
        internal static readonly Op LayerNorm = Op.Get("aten::layer_norm");
        internal static readonly Op BatchNorm = Op.Get("aten::batch_norm");
        internal static readonly Op EmptyLike = Op.Get("aten::empty_like");
        internal static readonly Op GroupNorm = Op.Get("aten::group_norm");
        internal static readonly Op CosineSimilarity = Op.Get("aten::cosine_similarity");
        internal static readonly Op Softmax = Op.Get("aten::softmax", "int");
        internal static readonly Op LogSoftmax = Op.Get("aten::log_softmax", "int");
    }
}
