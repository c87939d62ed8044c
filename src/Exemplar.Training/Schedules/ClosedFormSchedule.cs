using Exemplar.Training.Optim;

namespace Exemplar.Training.Schedules;

/// <summary>
/// A schedule whose rate is a function of the step and the group's base rate. PyTorch steps most of these in a
/// chained form (each rate from the previous one); the closed forms here agree with it to a few units in the last
/// place (the parity tests bound the difference), and unlike the chained form they cannot drift or be thrown off by
/// a rate set from outside.
/// </summary>
public abstract class ClosedFormSchedule : LearningRateSchedule
{
    /// <summary>Attaches to <paramref name="optimizer"/>, recording the groups' base rates.</summary>
    protected ClosedFormSchedule(Optimizer optimizer) : base(optimizer) => BaseLearningRates = BaseRates(optimizer);

    /// <summary>The rate each group starts from (PyTorch's <c>base_lrs</c>).</summary>
    public IReadOnlyList<double> BaseLearningRates { get; }

    /// <summary>The rate of group <paramref name="group"/> at <paramref name="step"/>.</summary>
    public abstract double LearningRateAt(long step, int group);

    /// <inheritdoc/>
    protected override void Advance(double? metric, double[] rates)
    {
        for (int g = 0; g < rates.Length; g++) rates[g] = LearningRateAt(StepCount, g);
    }
}
