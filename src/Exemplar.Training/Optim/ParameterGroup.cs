using Exemplar.Torch;

namespace Exemplar.Training.Optim;

/// <summary>
/// Parameters that share hyper-parameters, as one entry of PyTorch's <c>param_groups</c>: a learning rate or weight
/// decay left null takes the optimizer's default.
/// </summary>
/// <param name="Parameters">The tensors to optimise (the caller keeps owning them).</param>
/// <param name="LearningRate">This group's learning rate, or null for the optimizer's.</param>
/// <param name="WeightDecay">This group's weight decay, or null for the optimizer's (0 for norms and biases, usually).</param>
public sealed record ParameterGroup(IReadOnlyList<Tensor> Parameters, double? LearningRate = null, double? WeightDecay = null);

/// <summary>
/// A parameter group as the optimizer runs it: its parameters and the hyper-parameters that schedules change between
/// steps (learning rate, and the momentum that one-cycle cycles).
/// </summary>
public sealed class OptimizerGroup
{
    internal OptimizerGroup(IReadOnlyList<Tensor> parameters, double learningRate, double weightDecay, double momentum)
    {
        Parameters = parameters;
        LearningRate = learningRate;
        WeightDecay = weightDecay;
        Momentum = momentum;
    }

    /// <summary>The group's tensors, in the order their state is kept.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The learning rate the next step uses (schedules set it).</summary>
    public double LearningRate { get; set; }

    /// <summary>The weight decay (L2 added to the gradient for SGD and Adam, decoupled for AdamW).</summary>
    public double WeightDecay { get; set; }

    /// <summary>SGD's momentum, or Adam's β₁: the first-moment coefficient, which one-cycle schedules cycle.</summary>
    public double Momentum { get; set; }

    /// <summary>
    /// The learning rate the first schedule attached to this optimizer found (PyTorch's <c>initial_lr</c>): every
    /// later schedule starts from it, so that a warm-up and the schedule it wraps agree on the base rate.
    /// </summary>
    public double? InitialLearningRate { get; set; }
}
