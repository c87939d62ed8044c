using Exemplar.Training.Optim;

namespace Exemplar.Training.Schedules;

/// <summary>
/// PyTorch's <c>ConstantLR</c>: the base rate times <see cref="Factor"/> until <see cref="Steps"/>, then the base rate.
/// The defaults (factor 1) keep the rate constant.
/// </summary>
public sealed record ConstantScheduleOptions
{
    /// <summary>The factor before <see cref="Steps"/>, in [0, 1].</summary>
    public double Factor { get; init; } = 1;

    /// <summary>The step from which the base rate applies.</summary>
    public long Steps { get; init; }
}

/// <summary>A constant rate, optionally scaled down for the first steps (PyTorch's <c>ConstantLR</c>).</summary>
public sealed class ConstantSchedule : ClosedFormSchedule
{
    private readonly ConstantScheduleOptions _options;

    /// <summary>Attaches to <paramref name="optimizer"/>.</summary>
    public ConstantSchedule(Optimizer optimizer, ConstantScheduleOptions? options = null) : base(optimizer)
    {
        _options = options ?? new ConstantScheduleOptions();
        if (_options.Factor is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(options), _options.Factor, "the factor is in [0, 1]");
        Start();
    }

    /// <inheritdoc/>
    public override double LearningRateAt(long step, int group) =>
        BaseLearningRates[group] * (_options.Factor + (step >= _options.Steps ? 1 : 0) * (1 - _options.Factor));
}

/// <summary>PyTorch's <c>StepLR</c>: the rate times <see cref="Gamma"/> every <see cref="StepSize"/> steps.</summary>
public sealed record StepScheduleOptions
{
    /// <summary>Steps between decays.</summary>
    public required long StepSize { get; init; }

    /// <summary>The decay factor.</summary>
    public double Gamma { get; init; } = 0.1;
}

/// <summary>Decays by a factor every fixed number of steps (PyTorch's <c>StepLR</c>).</summary>
public sealed class StepSchedule : ClosedFormSchedule
{
    private readonly StepScheduleOptions _options;

    /// <summary>Attaches to <paramref name="optimizer"/>.</summary>
    public StepSchedule(Optimizer optimizer, StepScheduleOptions options) : base(optimizer)
    {
        if (options.StepSize < 1) throw new ArgumentOutOfRangeException(nameof(options), options.StepSize, "the step size is at least 1");
        _options = options;
        Start();
    }

    /// <inheritdoc/>
    public override double LearningRateAt(long step, int group) =>
        BaseLearningRates[group] * Math.Pow(_options.Gamma, step / _options.StepSize);
}

/// <summary>PyTorch's <c>MultiStepLR</c>: the rate times <see cref="Gamma"/> at each milestone.</summary>
public sealed record MultiStepScheduleOptions
{
    /// <summary>The steps at which the rate decays (a milestone given twice decays twice, as in PyTorch).</summary>
    public required IReadOnlyList<long> Milestones { get; init; }

    /// <summary>The decay factor.</summary>
    public double Gamma { get; init; } = 0.1;
}

/// <summary>Decays by a factor at given steps (PyTorch's <c>MultiStepLR</c>).</summary>
public sealed class MultiStepSchedule : ClosedFormSchedule
{
    private readonly long[] _milestones;
    private readonly double _gamma;

    /// <summary>Attaches to <paramref name="optimizer"/>.</summary>
    public MultiStepSchedule(Optimizer optimizer, MultiStepScheduleOptions options) : base(optimizer)
    {
        _milestones = [.. options.Milestones.Order()];
        _gamma = options.Gamma;
        Start();
    }

    /// <inheritdoc/>
    public override double LearningRateAt(long step, int group) =>
        BaseLearningRates[group] * Math.Pow(_gamma, _milestones.Count(m => m <= step));
}

/// <summary>PyTorch's <c>ExponentialLR</c>: the rate times <see cref="Gamma"/> every step.</summary>
/// <param name="Gamma">The factor per step.</param>
public sealed record ExponentialScheduleOptions(double Gamma);

/// <summary>Decays by a factor every step (PyTorch's <c>ExponentialLR</c>).</summary>
public sealed class ExponentialSchedule : ClosedFormSchedule
{
    private readonly double _gamma;

    /// <summary>Attaches to <paramref name="optimizer"/>.</summary>
    public ExponentialSchedule(Optimizer optimizer, ExponentialScheduleOptions options) : base(optimizer)
    {
        _gamma = options.Gamma;
        Start();
    }

    /// <inheritdoc/>
    public override double LearningRateAt(long step, int group) => BaseLearningRates[group] * Math.Pow(_gamma, step);
}
