namespace Exemplar.Torch;

public static partial class Functional
{
    private static readonly Op LinearOp = Op.Get("aten::linear");

    /// <summary>x·Wᵀ + b: input [..., in], weight [out, in], bias [out] → [..., out].</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        Nn.MacCounter.Current?.AddLinear(input, weight);
        return Ops.Call(LinearOp, input, weight, bias);
    }

    /// <summary>
    /// softmax(q·kᵀ / √d [+ mask]) · v with plain matrix products: q [..., Nq, d], k [..., Nk, d], v [..., Nk, dv] →
    /// [..., Nq, dv]. A bool mask is true where attention is allowed; a float mask is added to the logits.
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor? mask = null, double? scale = null)
    {
        using var scope = DisposeScope.Begin();
        double s = scale ?? 1.0 / Math.Sqrt(q.Size(-1));
        var logits = (q * s).Matmul(k.Transpose(-2, -1));
        if (mask is not null)
        {
            logits = mask.DType == DType.Bool ? logits.MaskedFill(mask.LogicalNot(), double.NegativeInfinity) : logits + mask;
        }
        return Softmax(logits, -1).Matmul(v).MoveToOuterScope();
    }
}
