using Exemplar.Training.Optim;

namespace Exemplar.Training.Schedules;

/// <summary>How one-cycle moves between its end points.</summary>
public enum Annealing
{
    /// <summary>Half a cosine.</summary>
    Cosine,

    /// <summary>A straight line.</summary>
    Linear,
}

/// <summary>PyTorch's <c>OneCycleLR</c> options, with its defaults.</summary>
public sealed record OneCycleScheduleOptions
{
    /// <summary>The peak rate of every group (one value for all, or one per group).</summary>
    public required IReadOnlyList<double> MaxLearningRates { get; init; }

    /// <summary>Steps in the cycle; stepping past them is an error, as in PyTorch.</summary>
    public required long TotalSteps { get; init; }

    /// <summary>Share of the cycle spent rising.</summary>
    public double PctStart { get; init; } = 0.3;

    /// <summary>How to move between end points.</summary>
    public Annealing Annealing { get; init; } = Annealing.Cosine;

    /// <summary>Cycle the momentum (SGD's) or β₁ (Adam's) inversely to the rate.</summary>
    public bool CycleMomentum { get; init; } = true;

    /// <summary>The momentum at the peak rate.</summary>
    public double BaseMomentum { get; init; } = 0.85;

    /// <summary>The momentum at the lowest rates.</summary>
    public double MaxMomentum { get; init; } = 0.95;

    /// <summary>The starting rate is the peak divided by this.</summary>
    public double DivFactor { get; init; } = 25;

    /// <summary>The final rate is the starting rate divided by this.</summary>
    public double FinalDivFactor { get; init; } = 1e4;

    /// <summary>Fall back to the starting rate before annealing to the final one (three phases, as fastai's first version).</summary>
    public bool ThreePhase { get; init; }
}

/// <summary>The one-cycle policy (Smith and Topin), PyTorch's <c>OneCycleLR</c>: up to the peak, then down far below the start.</summary>
public sealed class OneCycleSchedule : ClosedFormSchedule
{
    private readonly OneCycleScheduleOptions _options;
    private readonly double[] _max;
    private readonly (double EndStep, Point Start, Point End)[] _phases;

    private enum Point { Initial, Max, Min }

    /// <summary>Attaches to <paramref name="optimizer"/>; sets each group's initial rate to the peak over <see cref="OneCycleScheduleOptions.DivFactor"/>, as PyTorch does.</summary>
    public OneCycleSchedule(Optimizer optimizer, OneCycleScheduleOptions options) : base(SetInitialRates(optimizer, options))
    {
        _options = options;
        _max = [.. PerGroup(options.MaxLearningRates, optimizer.Groups.Count)];
        double t = options.TotalSteps, p = options.PctStart;
        _phases = options.ThreePhase
            ? [(p * t - 1, Point.Initial, Point.Max), (2 * p * t - 2, Point.Max, Point.Initial), (t - 1, Point.Initial, Point.Min)]
            : [(p * t - 1, Point.Initial, Point.Max), (t - 1, Point.Max, Point.Min)];
        Start();
    }

    private static Optimizer SetInitialRates(Optimizer optimizer, OneCycleScheduleOptions options)
    {
        if (options.TotalSteps < 1) throw new ArgumentOutOfRangeException(nameof(options), options.TotalSteps, "at least one step");
        if (options.PctStart is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(options), options.PctStart, "pct_start is in [0, 1]");
        var max = PerGroup(options.MaxLearningRates, optimizer.Groups.Count).ToArray();
        for (int g = 0; g < max.Length; g++) optimizer.Groups[g].InitialLearningRate = max[g] / options.DivFactor;
        return optimizer;
    }

    private static IEnumerable<double> PerGroup(IReadOnlyList<double> values, int groups) =>
        values.Count == 1 ? Enumerable.Repeat(values[0], groups)
        : values.Count == groups ? values
        : throw new ArgumentException($"one peak rate, or one per group ({groups}), not {values.Count}", nameof(values));

    /// <inheritdoc/>
    public override double LearningRateAt(long step, int group)
    {
        var (pct, start, end) = Phase(step);
        return Anneal(Rate(start, group), Rate(end, group), pct);
    }

    /// <inheritdoc/>
    protected override void Advance(double? metric, double[] rates)
    {
        base.Advance(metric, rates);
        if (_options.CycleMomentum) SetMomentum();
    }

    /// <inheritdoc/>
    protected override void ReadState(System.Text.Json.Nodes.JsonObject state)
    {
        if (_options.CycleMomentum) SetMomentum();
    }

    private void SetMomentum()
    {
        var (pct, start, end) = Phase(StepCount);
        double m = Anneal(Momentum(start), Momentum(end), pct);
        foreach (var g in Optimizer.Groups) g.Momentum = m;
    }

    /// <summary>Where <paramref name="step"/> falls: the share of its phase done and the phase's end points (PyTorch's loop).</summary>
    private (double Pct, Point Start, Point End) Phase(long step)
    {
        if (step > _options.TotalSteps)
            throw new InvalidOperationException($"one-cycle was stepped {step + 1} times, but its cycle has {_options.TotalSteps} steps");
        double startStep = 0;
        for (int i = 0; ; i++)
        {
            var (endStep, start, end) = _phases[i];
            if (step <= endStep || i == _phases.Length - 1) return ((step - startStep) / (endStep - startStep), start, end);
            startStep = endStep;
        }
    }

    private double Rate(Point point, int group)
    {
        double initial = _max[group] / _options.DivFactor;
        return point switch
        {
            Point.Initial => initial,
            Point.Max => _max[group],
            _ => initial / _options.FinalDivFactor,
        };
    }

    // The momentum runs opposite to the rate: highest where the rate is lowest.
    private double Momentum(Point point) => point == Point.Max ? _options.BaseMomentum : _options.MaxMomentum;

    private double Anneal(double start, double end, double pct) => _options.Annealing == Annealing.Cosine
        ? end + (start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1)
        : (end - start) * pct + start;
}
