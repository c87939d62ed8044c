using System.Text.Json.Nodes;
using Exemplar.Torch;
using Exemplar.Training.Optim;
using Exemplar.Training.Schedules;

namespace Exemplar.Training.Tests.Schedules;

/// <summary>Schedule behaviour beyond the reference rates: errors, state round trips, and the base rate shared by a warm-up.</summary>
public sealed class ScheduleTests : IDisposable
{
    private readonly Tensor _p = Tensor.Zeros([1]).RequiresGrad_();

    private Sgd Optimizer(double lr = 0.1) => new([_p], new SgdOptions { LearningRate = lr, Momentum = 0.9 });

    [Fact]
    public void PlateauNeedsAMetric()
    {
        using var sgd = Optimizer();
        var plateau = new ReduceLrOnPlateau(sgd);
        Assert.Throws<ArgumentNullException>(() => plateau.Step());
    }

    [Fact]
    public void OneCycleRefusesToStepPastItsCycle()
    {
        using var sgd = Optimizer();
        var cycle = new OneCycleSchedule(sgd, new() { MaxLearningRates = [1.0], TotalSteps = 3 });
        for (int i = 0; i < 3; i++) cycle.Step(); // PyTorch allows stepping to step == total_steps
        Assert.Throws<InvalidOperationException>(() => cycle.Step());
        Assert.Equal(3, cycle.StepCount); // the refused step left it where it was
    }

    [Fact]
    public void WarmupPerIterationThenPlateauPerEpoch()
    {
        using var sgd = Optimizer(0.1);
        var plateau = new ReduceLrOnPlateau(sgd, new() { Factor = 0.5, Patience = 0 });
        var warm = new LinearWarmup(plateau, new() { Steps = 3, StartFactor = 0.4 });
        var rates = new List<double>();
        for (int epoch = 0; epoch < 3; epoch++)
        {
            for (int iteration = 0; iteration < 2; iteration++)
            {
                if (!warm.WarmingUp) continue;
                Assert.False(warm.NeedsMetric);
                warm.Step();
                rates.Add(sgd.Groups[0].LearningRate);
            }
            if (warm.WarmingUp) continue;
            Assert.True(warm.NeedsMetric);
            Assert.Throws<ArgumentNullException>(() => warm.Step());
            warm.Step(1.0); // the same loss every epoch: the first sets the best, then it is a plateau
            rates.Add(sgd.Groups[0].LearningRate);
        }
        Assert.Equal([0.06, 0.08, 0.1, 0.1, 0.05], rates.Select(r => Math.Round(r, 12)));
    }

    [Fact]
    public void PlateauStateRoundTripsThroughJson()
    {
        using var sgd = Optimizer();
        var plateau = new ReduceLrOnPlateau(sgd, new() { Patience = 0, Cooldown = 3 });
        foreach (double m in new[] { 1.0, 2.0, 0.5 }) plateau.Step(m);
        string saved = plateau.SaveState().ToJsonString();

        using var fresh = Optimizer();
        var restored = new ReduceLrOnPlateau(fresh, new() { Patience = 0, Cooldown = 3 });
        restored.LoadState(JsonNode.Parse(saved)!.AsObject());

        Assert.Equal((plateau.StepCount, plateau.Best, plateau.BadSteps, plateau.CooldownLeft), (restored.StepCount, restored.Best, restored.BadSteps, restored.CooldownLeft));
        Assert.Equal(plateau.LearningRates, restored.LearningRates);
        Assert.Equal(plateau.LearningRates[0], fresh.Groups[0].LearningRate);
    }

    [Fact]
    public void FreshPlateauStateHasNoBestValue()
    {
        using var sgd = Optimizer();
        var state = new ReduceLrOnPlateau(sgd).SaveState();
        Assert.Null(state["best"]);
        var restored = new ReduceLrOnPlateau(sgd);
        restored.LoadState(state);
        Assert.Equal(double.PositiveInfinity, restored.Best);
    }

    [Fact]
    public void LoadStateRefusesAnotherKindOfSchedule()
    {
        using var sgd = Optimizer();
        var state = new ExponentialSchedule(sgd, new(0.9)).SaveState();
        var step = new StepSchedule(sgd, new() { StepSize = 2 });
        Assert.Throws<ArgumentException>(() => step.LoadState(state));
    }

    [Fact]
    public void WarmupStartsFromTheBaseRateItsScheduleRecorded()
    {
        using var sgd = Optimizer(0.2);
        var warm = new LinearWarmup(new StepSchedule(sgd, new() { StepSize = 1, Gamma = 0.5 }), new() { Steps = 2, StartFactor = 0.5 });
        Assert.Equal(0.1, sgd.Groups[0].LearningRate, 15);
        warm.Step();
        Assert.Equal(0.15, sgd.Groups[0].LearningRate, 15);
        warm.Step();
        Assert.Equal(0.2, sgd.Groups[0].LearningRate, 15); // the wrapped schedule's step 0
        warm.Step();
        Assert.Equal(0.1, sgd.Groups[0].LearningRate, 15);
        Assert.Equal(0.2, sgd.Groups[0].InitialLearningRate);
    }

    public void Dispose() => _p.Dispose();
}
