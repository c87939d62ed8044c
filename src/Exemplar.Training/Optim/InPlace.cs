using Exemplar.Torch;

namespace Exemplar.Training.Optim;

/// <summary>
/// The in-place ATen operators the update rules need beyond <see cref="Tensor.Add_"/> and <see cref="Tensor.Mul_"/>,
/// called exactly as torch.optim calls them so that every rounding matches.
/// </summary>
internal static class InPlace
{
    private static readonly Op AddScalar_ = Op.Get("aten::add_", "Scalar");
    private static readonly Op Addcmul_ = Op.Get("aten::addcmul_");
    private static readonly Op Addcdiv_ = Op.Get("aten::addcdiv_");
    private static readonly Op Maximum = Op.Get("aten::maximum");
    private static readonly Op MulTensor_ = Op.Get("aten::mul_", "Tensor");

    /// <summary>t += s (<c>add_(Scalar)</c>).</summary>
    public static void AddScalar(Tensor t, double s) => Ops.Call(AddScalar_, t, s).Dispose();

    /// <summary>t += value · a · b.</summary>
    public static void AddProduct(Tensor t, Tensor a, Tensor b, double value) => Ops.Call(Addcmul_, t, a, b, value).Dispose();

    /// <summary>t += value · a / b.</summary>
    public static void AddQuotient(Tensor t, Tensor a, Tensor b, double value) => Ops.Call(Addcdiv_, t, a, b, value).Dispose();

    /// <summary>t *= other (broadcast).</summary>
    public static void Multiply(Tensor t, Tensor other) => Ops.Call(MulTensor_, t, other).Dispose();

    /// <summary>t = max(t, other), element-wise.</summary>
    public static void KeepMaximum(Tensor t, Tensor other)
    {
        using var m = Ops.Call(Maximum, t, other);
        t.Copy_(m).Dispose();
    }
}
