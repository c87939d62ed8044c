using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.DinoV2;

/// <summary>Per-channel learnt scale of a residual branch (CaiT's LayerScale): x [..., D] → x · gamma.</summary>
public sealed class LayerScale : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer with every gamma equal to <paramref name="initValue"/>.</summary>
    public LayerScale(long dim, double initValue)
    {
        Gamma = RegisterParameter("gamma", Tensor.Full([dim], initValue));
    }

    /// <summary>[D].</summary>
    public Tensor Gamma { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input * Gamma;
}
