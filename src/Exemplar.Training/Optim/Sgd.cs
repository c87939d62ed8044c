using Exemplar.Torch;

namespace Exemplar.Training.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight decay: PyTorch 1.13's
/// <c>torch.optim.SGD</c> (<c>_single_tensor_sgd</c>). The momentum buffer starts as the first (decayed) gradient.
/// </summary>
public sealed class Sgd : Optimizer
{
    /// <summary>The name of the momentum buffer in <see cref="ParameterState"/> (PyTorch's).</summary>
    public const string MomentumBuffer = "momentum_buffer";

    private readonly SgdOptions _options;

    /// <summary>Creates the optimizer.</summary>
    /// <exception cref="ArgumentException">Nesterov momentum without momentum, or with dampening; a negative hyper-parameter.</exception>
    public Sgd(IEnumerable<ParameterGroup> groups, SgdOptions options)
        : base(groups, options.LearningRate, options.WeightDecay, options.Momentum)
    {
        if (options.Momentum < 0) throw new ArgumentOutOfRangeException(nameof(options), options.Momentum, "momentum is not negative");
        if (options.Nesterov && (options.Momentum <= 0 || options.Dampening != 0))
            throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening", nameof(options));
        _options = options;
    }

    /// <summary>Creates the optimizer over one group.</summary>
    public Sgd(IEnumerable<Tensor> parameters, SgdOptions options) : this([new ParameterGroup([.. parameters])], options)
    {
    }

    /// <inheritdoc/>
    protected override object Options => _options;

    /// <inheritdoc/>
    protected override void Update(OptimizerGroup group, Tensor parameter, Tensor grad, ParameterState state)
    {
        var d = grad;
        if (group.WeightDecay != 0) d = d.Add(parameter, group.WeightDecay);
        if (group.Momentum != 0)
        {
            var buffer = state.Get(MomentumBuffer);
            if (buffer is null)
            {
                using var copy = d.Clone();
                state.Set(MomentumBuffer, buffer = copy.Detach());
            }
            else
            {
                buffer.Mul_(group.Momentum);
                buffer.Add_(d, 1 - _options.Dampening);
            }
            d = _options.Nesterov ? d.Add(buffer, group.Momentum) : buffer;
        }
        parameter.Add_(d, -group.LearningRate);
        state.Step++;
    }
}
