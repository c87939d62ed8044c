using Exemplar.Training.Optim;

namespace Exemplar.Training.Schedules;

/// <summary>PyTorch's <c>CosineAnnealingLR</c>: half a cosine from the base rate down to <see cref="MinLearningRate"/> over <see cref="Steps"/>.</summary>
public sealed record CosineAnnealingScheduleOptions
{
    /// <summary>Steps from the base rate to the floor (PyTorch's <c>T_max</c>); past them the cosine rises again, as in PyTorch.</summary>
    public required long Steps { get; init; }

    /// <summary>The floor (PyTorch's <c>eta_min</c>).</summary>
    public double MinLearningRate { get; init; }
}

/// <summary>Cosine annealing with a floor (PyTorch's <c>CosineAnnealingLR</c>, closed form: within 2e-15 of its chained form).</summary>
public sealed class CosineAnnealingSchedule : ClosedFormSchedule
{
    private readonly CosineAnnealingScheduleOptions _options;

    /// <summary>Attaches to <paramref name="optimizer"/>.</summary>
    public CosineAnnealingSchedule(Optimizer optimizer, CosineAnnealingScheduleOptions options) : base(optimizer)
    {
        if (options.Steps < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Steps, "at least one step");
        _options = options;
        Start();
    }

    /// <inheritdoc/>
    public override double LearningRateAt(long step, int group)
    {
        double min = _options.MinLearningRate;
        return min + (BaseLearningRates[group] - min) * (1 + Math.Cos(Math.PI * step / _options.Steps)) / 2;
    }
}
