using Exemplar.Training.Optim;

namespace Exemplar.Training.Schedules;

/// <summary>
/// Polynomial decay from the base rate to <see cref="EndLearningRate"/> over <see cref="Steps"/>: mmcv's <c>poly</c>
/// policy (OTX's choice for SegNeXt and DINOv2 heads), which with an end rate of 0 is PyTorch's <c>PolynomialLR</c>.
/// </summary>
public sealed record PolynomialScheduleOptions
{
    /// <summary>Steps to the end rate (PyTorch's <c>total_iters</c>, mmcv's <c>max_iters</c>); the rate stays there after.</summary>
    public required long Steps { get; init; }

    /// <summary>The exponent (mmcv's default for segmentation is 0.9; PyTorch's 1).</summary>
    public double Power { get; init; } = 1;

    /// <summary>The rate at the end (mmcv's <c>min_lr</c>).</summary>
    public double EndLearningRate { get; init; }
}

/// <summary>Polynomial decay (mmcv's <c>PolyLrUpdaterHook</c>; PyTorch's <c>PolynomialLR</c> when the end rate is 0).</summary>
public sealed class PolynomialSchedule : ClosedFormSchedule
{
    private readonly PolynomialScheduleOptions _options;

    /// <summary>Attaches to <paramref name="optimizer"/>.</summary>
    public PolynomialSchedule(Optimizer optimizer, PolynomialScheduleOptions options) : base(optimizer)
    {
        if (options.Steps < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Steps, "at least one step");
        _options = options;
        Start();
    }

    /// <inheritdoc/>
    public override double LearningRateAt(long step, int group)
    {
        double end = _options.EndLearningRate;
        double coefficient = Math.Pow(1.0 - (double)Math.Min(step, _options.Steps) / _options.Steps, _options.Power);
        return (BaseLearningRates[group] - end) * coefficient + end;
    }
}
