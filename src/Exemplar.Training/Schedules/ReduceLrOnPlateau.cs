using System.Text.Json.Nodes;
using Exemplar.Training.Optim;

namespace Exemplar.Training.Schedules;

/// <summary>Whether a smaller or a larger monitored value is better.</summary>
public enum PlateauMode
{
    /// <summary>Lower is better (a loss).</summary>
    Min,

    /// <summary>Higher is better (an accuracy, an IoU).</summary>
    Max,
}

/// <summary>How the improvement threshold is measured.</summary>
public enum ThresholdMode
{
    /// <summary>Relative to the best value: better than best · (1 ∓ threshold).</summary>
    Relative,

    /// <summary>Absolute: better than best ∓ threshold.</summary>
    Absolute,
}

/// <summary>PyTorch's <c>ReduceLROnPlateau</c> options, with its defaults.</summary>
public sealed record ReduceLrOnPlateauOptions
{
    /// <summary>Whether lower or higher values are better.</summary>
    public PlateauMode Mode { get; init; } = PlateauMode.Min;

    /// <summary>The rate is multiplied by this on a plateau (below 1).</summary>
    public double Factor { get; init; } = 0.1;

    /// <summary>Steps without improvement tolerated; the rate drops on the one after.</summary>
    public int Patience { get; init; } = 10;

    /// <summary>The least change that counts as an improvement.</summary>
    public double Threshold { get; init; } = 1e-4;

    /// <summary>How <see cref="Threshold"/> is measured.</summary>
    public ThresholdMode ThresholdMode { get; init; } = ThresholdMode.Relative;

    /// <summary>Steps after a reduction during which bad steps are not counted.</summary>
    public int Cooldown { get; init; }

    /// <summary>The floor of every group (one value for all, or one per group).</summary>
    public IReadOnlyList<double> MinLearningRates { get; init; } = [0];

    /// <summary>A reduction smaller than this is not made.</summary>
    public double Eps { get; init; } = 1e-8;
}

/// <summary>
/// Lowers the rate when a monitored value stops improving (PyTorch's <c>ReduceLROnPlateau</c>, exactly: the same
/// comparisons, counters and cooldown). Each <see cref="LearningRateSchedule.Step"/> needs the value (usually once per
/// epoch, after validation).
/// </summary>
public sealed class ReduceLrOnPlateau : LearningRateSchedule
{
    private readonly ReduceLrOnPlateauOptions _options;
    private readonly double[] _minRates;

    /// <summary>Attaches to <paramref name="optimizer"/>; the rates start as the groups' current ones.</summary>
    public ReduceLrOnPlateau(Optimizer optimizer, ReduceLrOnPlateauOptions? options = null) : base(optimizer)
    {
        _options = options ?? new ReduceLrOnPlateauOptions();
        if (_options.Factor >= 1) throw new ArgumentOutOfRangeException(nameof(options), _options.Factor, "the factor is below 1");
        int groups = optimizer.Groups.Count;
        var min = _options.MinLearningRates;
        _minRates = min.Count == 1 ? [.. Enumerable.Repeat(min[0], groups)]
            : min.Count == groups ? [.. min]
            : throw new ArgumentException($"one floor, or one per group ({groups}), not {min.Count}", nameof(options));
        Best = Worst;
        Start();
    }

    /// <summary>The best value seen so far (infinitely bad before the first).</summary>
    public double Best { get; private set; }

    /// <summary>Steps since the last improvement, not counting cooldown.</summary>
    public int BadSteps { get; private set; }

    /// <summary>Steps of cooldown left.</summary>
    public int CooldownLeft { get; private set; }

    /// <inheritdoc/>
    public override bool NeedsMetric => true;

    private double Worst => _options.Mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;

    /// <inheritdoc/>
    protected override void Advance(double? metric, double[] rates)
    {
        if (StepCount == 0) return; // creating the schedule changes no rate
        double current = metric ?? throw new ArgumentNullException(nameof(metric));
        if (IsBetter(current))
        {
            Best = current;
            BadSteps = 0;
        }
        else
        {
            BadSteps++;
        }
        if (CooldownLeft > 0)
        {
            CooldownLeft--;
            BadSteps = 0; // bad steps during cooldown are ignored
        }
        if (BadSteps > _options.Patience)
        {
            for (int g = 0; g < rates.Length; g++)
            {
                double reduced = Math.Max(rates[g] * _options.Factor, _minRates[g]);
                if (rates[g] - reduced > _options.Eps) rates[g] = reduced;
            }
            CooldownLeft = _options.Cooldown;
            BadSteps = 0;
        }
    }

    private bool IsBetter(double a) => (_options.Mode, _options.ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Relative) => a < Best * (1.0 - _options.Threshold),
        (PlateauMode.Min, ThresholdMode.Absolute) => a < Best - _options.Threshold,
        (PlateauMode.Max, ThresholdMode.Relative) => a > Best * (_options.Threshold + 1.0),
        _ => a > Best + _options.Threshold,
    };

    /// <inheritdoc/>
    protected override void WriteState(JsonObject state)
    {
        // JSON has no infinity: no best value yet is written as null.
        state["best"] = double.IsFinite(Best) ? Best : null;
        state["bad_steps"] = BadSteps;
        state["cooldown_left"] = CooldownLeft;
    }

    /// <inheritdoc/>
    protected override void ReadState(JsonObject state)
    {
        Best = (double?)state["best"] ?? Worst;
        BadSteps = (int)state["bad_steps"]!;
        CooldownLeft = (int)state["cooldown_left"]!;
    }
}
