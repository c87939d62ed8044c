namespace Exemplar.Torch.Nn;

/// <summary>y = x·Wᵀ + b: input [..., in] → [..., out]. Weight [out, in], bias [out]; PyTorch's default initialisation.</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public Linear(long inFeatures, long outFeatures, bool bias = true)
    {
        Weight = RegisterParameter("weight", Tensor.Empty([outFeatures, inFeatures]));
        Bias = bias ? RegisterParameter("bias", Tensor.Empty([outFeatures])) : null;
        Init.LayerDefault_(Weight, Bias);
    }

    /// <summary>[out, in].</summary>
    public Tensor Weight { get; }

    /// <summary>[out], or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Linear(input, Weight, Bias);
}
