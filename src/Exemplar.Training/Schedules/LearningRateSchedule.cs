using System.Text.Json.Nodes;
using Exemplar.Training.Optim;

namespace Exemplar.Training.Schedules;

/// <summary>
/// Sets the learning rate of every group of an optimizer, step by step, as torch.optim.lr_scheduler's schedulers do:
/// creating a schedule sets the rates of step 0; each <see cref="Step"/> (after the optimizer's step, once per
/// iteration or once per epoch, whichever unit the schedule's options count in) moves to the next step's rates.
/// </summary>
public abstract class LearningRateSchedule
{
    private readonly double[] _rates;

    /// <summary>Attaches to <paramref name="optimizer"/>, starting from its groups' current learning rates.</summary>
    protected LearningRateSchedule(Optimizer optimizer)
    {
        Optimizer = optimizer;
        _rates = [.. optimizer.Groups.Select(g => g.LearningRate)];
    }

    /// <summary>The optimizer whose rates this schedule sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Steps taken since the schedule started (PyTorch's <c>last_epoch</c>).</summary>
    public long StepCount { get; private set; }

    /// <summary>The learning rate of every group at the current step (PyTorch's <c>get_last_lr()</c>).</summary>
    public IReadOnlyList<double> LearningRates => _rates;

    /// <summary>Moves to the next step and sets its learning rates on the optimizer.</summary>
    /// <param name="metric">The monitored value, for schedules that need one (<see cref="ReduceLrOnPlateau"/>); others ignore it.</param>
    /// <exception cref="ArgumentNullException">The schedule needs a metric at this step (<see cref="NeedsMetric"/>) and none was given.</exception>
    public void Step(double? metric = null)
    {
        if (metric is null && NeedsMetric) throw new ArgumentNullException(nameof(metric), $"{GetType().Name} steps on a monitored value");
        StepCount++;
        try
        {
            Advance(metric, _rates);
        }
        catch
        {
            StepCount--; // a refused step (one past a one-cycle's end) leaves the schedule where it was
            throw;
        }
        Apply();
    }

    /// <summary>Whether the next <see cref="Step"/> needs the monitored value (a plateau's steps, after any warm-up).</summary>
    public virtual bool NeedsMetric => false;

    /// <summary>Computes the rates of step <see cref="StepCount"/> into <paramref name="rates"/> (which holds the previous ones).</summary>
    protected abstract void Advance(double? metric, double[] rates);

    /// <summary>Sets the rates of step 0; every concrete schedule calls it at the end of its constructor.</summary>
    protected void Start()
    {
        StepCount = 0;
        Advance(null, _rates);
        Apply();
    }

    /// <summary>Writes the current rates into the optimizer's groups.</summary>
    internal void Apply()
    {
        for (int g = 0; g < _rates.Length; g++) Optimizer.Groups[g].LearningRate = _rates[g];
    }

    /// <summary>The base rate of each group: the <see cref="OptimizerGroup.InitialLearningRate"/>, recorded by the first schedule attached.</summary>
    protected static double[] BaseRates(Optimizer optimizer) =>
        [.. optimizer.Groups.Select(g => g.InitialLearningRate ??= g.LearningRate)];

    /// <summary>The schedule's state (step count, rates and whatever else it counts), as JSON for a checkpoint.</summary>
    public JsonObject SaveState()
    {
        var state = new JsonObject
        {
            ["schedule"] = GetType().Name,
            ["step"] = StepCount,
            ["lrs"] = new JsonArray([.. _rates.Select(r => (JsonNode)r)]),
        };
        WriteState(state);
        return state;
    }

    /// <summary>Restores a state <see cref="SaveState"/> made by a schedule of the same kind over as many groups, and applies its rates.</summary>
    /// <exception cref="ArgumentException">The state belongs to another kind of schedule or another number of groups.</exception>
    public void LoadState(JsonObject state)
    {
        if ((string?)state["schedule"] != GetType().Name)
            throw new ArgumentException($"the state is of a {state["schedule"]} schedule, not of {GetType().Name}", nameof(state));
        var rates = state["lrs"]?.AsArray() ?? throw new ArgumentException("the state has no learning rates", nameof(state));
        if (rates.Count != _rates.Length) throw new ArgumentException($"the state has {rates.Count} groups, the optimizer {_rates.Length}", nameof(state));
        StepCount = (long)state["step"]!;
        for (int g = 0; g < _rates.Length; g++) _rates[g] = (double)rates[g]!;
        ReadState(state);
        Apply();
    }

    /// <summary>Adds what a schedule counts beyond the step and the rates.</summary>
    protected virtual void WriteState(JsonObject state)
    {
    }

    /// <summary>Reads back what <see cref="WriteState"/> added.</summary>
    protected virtual void ReadState(JsonObject state)
    {
    }
}
