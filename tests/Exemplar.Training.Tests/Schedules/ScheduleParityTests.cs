using Exemplar.Torch;
using Exemplar.Training.Tests.Reference;
using Xunit.Abstractions;

namespace Exemplar.Training.Tests.Schedules;

/// <summary>
/// Every schedule gives PyTorch 1.13's rates (and one-cycle its momentum) at every step, within 1e-12 relative:
/// the closed forms here against PyTorch's chained forms, the plateau fed the script's metric sequence.
/// </summary>
public sealed class ScheduleParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-12;

    public static TheoryData<string> Names => ReferenceSetups.ScheduleNames;

    [Theory]
    [MemberData(nameof(Names))]
    public void GivesPyTorchRates(string name)
    {
        var run = PyTorchReference.Instance.Schedule(name);
        using var p = Tensor.Zeros([1]).RequiresGrad_();
        using var q = Tensor.Zeros([1]).RequiresGrad_();
        using var optimizer = ReferenceSetups.ScheduleOptimizer(name, p, q);
        var schedule = ReferenceSetups.Schedule(name, optimizer);

        double worst = 0;
        for (int step = 0; step < run.LearningRates.Count; step++)
        {
            for (int g = 0; g < optimizer.Groups.Count; g++)
            {
                double lr = optimizer.Groups[g].LearningRate;
                Assert.Equal(lr, schedule.LearningRates[g]);
                double e = RelativeError.Of(lr, run.LearningRates[step][g], 1e-300);
                worst = Math.Max(worst, e);
                Assert.True(e <= Tolerance, $"{name}, step {step}, group {g}: {lr:R} vs PyTorch's {run.LearningRates[step][g]:R}");
                if (run.Momentum is { } momentum && name.StartsWith("onecycle", StringComparison.Ordinal))
                {
                    double m = optimizer.Groups[g].Momentum;
                    Assert.True(RelativeError.Of(m, momentum[step][g], 1e-300) <= Tolerance, $"{name}, step {step}: momentum {m:R} vs {momentum[step][g]:R}");
                }
            }
            optimizer.Step();
            schedule.Step(run.Metrics?[step]);
        }
        output.WriteLine($"{name}: max relative difference of rates {worst:E2}");
    }
}
