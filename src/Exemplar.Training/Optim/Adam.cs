using Exemplar.Torch;

namespace Exemplar.Training.Optim;

/// <summary>Adam with optional AMSGrad; weight decay is an L2 term added to the gradient (PyTorch's <c>torch.optim.Adam</c>).</summary>
public sealed class Adam : AdamFamily
{
    /// <summary>Creates the optimizer.</summary>
    public Adam(IEnumerable<ParameterGroup> groups, AdamOptions options) : base(groups, options, decoupledDecay: false)
    {
    }

    /// <summary>Creates the optimizer over one group.</summary>
    public Adam(IEnumerable<Tensor> parameters, AdamOptions options) : this([new ParameterGroup([.. parameters])], options)
    {
    }
}

/// <summary>Adam with decoupled weight decay (Loshchilov and Hutter): PyTorch's <c>torch.optim.AdamW</c>.</summary>
public sealed class AdamW : AdamFamily
{
    /// <summary>Creates the optimizer.</summary>
    public AdamW(IEnumerable<ParameterGroup> groups, AdamWOptions options) : base(groups, options, decoupledDecay: true)
    {
    }

    /// <summary>Creates the optimizer over one group.</summary>
    public AdamW(IEnumerable<Tensor> parameters, AdamWOptions options) : this([new ParameterGroup([.. parameters])], options)
    {
    }
}
