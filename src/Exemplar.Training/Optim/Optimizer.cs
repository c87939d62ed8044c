using Exemplar.Torch;

namespace Exemplar.Training.Optim;

/// <summary>
/// Updates parameters from their gradients, group by group, as torch.optim's optimizers do (PyTorch 1.13's
/// single-tensor code path, operation for operation, so the trajectories match). Parameters without a gradient are
/// skipped, and get no state, as in PyTorch.
/// </summary>
public abstract partial class Optimizer : IDisposable
{
    private readonly OptimizerGroup[] _groups;
    private readonly ParameterState[] _states;

    /// <summary>Resolves the groups against the defaults.</summary>
    /// <param name="groups">The parameter groups; a parameter may appear in one group only.</param>
    /// <param name="learningRate">The default learning rate.</param>
    /// <param name="weightDecay">The default weight decay.</param>
    /// <param name="momentum">The first-moment coefficient every group starts with (SGD's momentum, Adam's β₁).</param>
    protected Optimizer(IEnumerable<ParameterGroup> groups, double learningRate, double weightDecay, double momentum)
    {
        _groups = [.. groups.Select(g => new OptimizerGroup([.. g.Parameters], g.LearningRate ?? learningRate, g.WeightDecay ?? weightDecay, momentum))];
        if (_groups.Length == 0) throw new ArgumentException("an optimizer needs at least one parameter group", nameof(groups));
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var p in _groups.SelectMany(g => g.Parameters))
        {
            if (!seen.Add(p)) throw new ArgumentException("a parameter appears in more than one group (or twice in one)", nameof(groups));
            if (!p.DType.IsFloatingPoint()) throw new ArgumentException($"only floating-point tensors can be optimised, not {p.DType}", nameof(groups));
        }
        foreach (var g in _groups)
        {
            if (g.LearningRate < 0) throw new ArgumentOutOfRangeException(nameof(groups), g.LearningRate, "a learning rate is not negative");
            if (g.WeightDecay < 0) throw new ArgumentOutOfRangeException(nameof(groups), g.WeightDecay, "a weight decay is not negative");
        }
        _states = [.. seen.Select(_ => new ParameterState())];
    }

    /// <summary>The parameter groups, whose learning rates schedules set.</summary>
    public IReadOnlyList<OptimizerGroup> Groups => _groups;

    /// <summary>Number of <see cref="Step"/> calls so far.</summary>
    public long StepCount { get; private set; }

    /// <summary>The state of the <paramref name="index"/>-th parameter (counted over all groups, in order).</summary>
    public ParameterState State(int index) => _states[index];

    /// <summary>Forgets every parameter's gradient (sets it to none), before the next backward pass.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _groups.SelectMany(g => g.Parameters)) p.ZeroGrad();
    }

    /// <summary>Applies one update to every parameter that has a gradient, without recording it for autograd.</summary>
    public void Step()
    {
        using var noGrad = LibTorch.NoGrad();
        int index = 0;
        foreach (var group in _groups)
        {
            foreach (var parameter in group.Parameters)
            {
                var state = _states[index++];
                using var scope = DisposeScope.Begin();
                var grad = parameter.Grad;
                if (grad is null) continue;
                Update(group, parameter, grad, state);
            }
        }
        StepCount++;
    }

    /// <summary>
    /// Updates one parameter in place. Runs without gradient recording inside a <see cref="DisposeScope"/> that frees
    /// every temporary: buffers kept across steps must be stored with <see cref="ParameterState.Set"/>.
    /// </summary>
    protected abstract void Update(OptimizerGroup group, Tensor parameter, Tensor grad, ParameterState state);

    /// <summary>The hyper-parameters that are not per group, written into saved state and checked when it is loaded.</summary>
    protected abstract object Options { get; }

    /// <summary>Frees the optimizer's state (not the parameters, which the caller owns).</summary>
    public void Dispose()
    {
        foreach (var s in _states) s.Dispose();
        GC.SuppressFinalize(this);
    }
}
