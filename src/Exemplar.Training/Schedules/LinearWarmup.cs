using System.Text.Json.Nodes;

namespace Exemplar.Training.Schedules;

/// <summary>A linear warm-up in front of another schedule (OTX's <c>warmup</c>: 100 iterations, typically).</summary>
public sealed record LinearWarmupOptions
{
    /// <summary>Steps of warm-up; the wrapped schedule takes over at this step.</summary>
    public required long Steps { get; init; }

    /// <summary>The share of the base rate at step 0, in (0, 1]; it rises linearly to 1 at <see cref="Steps"/>.</summary>
    public required double StartFactor { get; init; }
}

/// <summary>
/// Warms up linearly from <see cref="LinearWarmupOptions.StartFactor"/> times the base rate, then hands over to the
/// wrapped schedule, which starts at its own step 0 at step <see cref="LinearWarmupOptions.Steps"/>: PyTorch's
/// <c>SequentialLR([LinearLR(start_factor, total_iters=steps), schedule], milestones=[steps])</c>. A metric given to
/// <see cref="LearningRateSchedule.Step"/> is passed to the wrapped schedule once it runs (a plateau after warm-up).
/// </summary>
public sealed class LinearWarmup : LearningRateSchedule
{
    private readonly LinearWarmupOptions _options;
    private readonly double[] _baseRates;

    /// <summary>Wraps <paramref name="schedule"/> (just created, at its step 0), on its optimizer.</summary>
    public LinearWarmup(LearningRateSchedule schedule, LinearWarmupOptions options) : base(schedule.Optimizer)
    {
        if (options.Steps < 0) throw new ArgumentOutOfRangeException(nameof(options), options.Steps, "steps are not negative");
        if (options.StartFactor is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(options), options.StartFactor, "the start factor is in (0, 1]");
        if (schedule.StepCount != 0) throw new ArgumentException("the wrapped schedule has been stepped already", nameof(schedule));
        Schedule = schedule;
        _options = options;
        _baseRates = BaseRates(schedule.Optimizer);
        Start();
    }

    /// <summary>The schedule after warm-up.</summary>
    public LearningRateSchedule Schedule { get; }

    /// <summary>
    /// Whether the next step is still part of the warm-up (or the hand-over). A trainer that warms up per iteration
    /// but runs the wrapped schedule per epoch (warm-up, then a plateau on the validation metric) steps every
    /// iteration while this holds, and once an epoch after.
    /// </summary>
    public bool WarmingUp => StepCount < _options.Steps;

    /// <inheritdoc/>
    public override bool NeedsMetric => !WarmingUp && Schedule.NeedsMetric;

    /// <inheritdoc/>
    protected override void Advance(double? metric, double[] rates)
    {
        if (StepCount < _options.Steps)
        {
            double s = _options.StartFactor, progress = (double)StepCount / _options.Steps;
            for (int g = 0; g < rates.Length; g++) rates[g] = _baseRates[g] * (s + (1 - s) * progress);
            return;
        }
        if (StepCount > _options.Steps) Schedule.Step(metric);
        for (int g = 0; g < rates.Length; g++) rates[g] = Schedule.LearningRates[g];
    }

    /// <inheritdoc/>
    protected override void WriteState(JsonObject state) => state["schedule_state"] = Schedule.SaveState();

    /// <inheritdoc/>
    protected override void ReadState(JsonObject state) =>
        Schedule.LoadState(state["schedule_state"]?.AsObject() ?? throw new ArgumentException("the warm-up state holds no wrapped state", nameof(state)));
}
