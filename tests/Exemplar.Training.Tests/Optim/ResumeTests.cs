using Exemplar.Torch;
using Exemplar.Training.Optim;
using Exemplar.Training.Schedules;
using Exemplar.Training.Tests.Reference;

namespace Exemplar.Training.Tests.Optim;

/// <summary>
/// Optimizer and schedule state saved at step 20 and loaded into fresh objects (over fresh parameters holding the
/// step-20 values) continue to step 50 exactly as the uninterrupted run: the same bits in every parameter, rate and
/// momentum.
/// </summary>
public sealed class ResumeTests : IDisposable
{
    private const int Total = 50;
    private const int StopAt = 20;
    private readonly string _folder = Directory.CreateTempSubdirectory("exemplar-training-resume-").FullName;

    public static TheoryData<string> Names => ReferenceSetups.OptimizerNames;

    /// <summary>Every reference optimizer (with its schedule, if it has one).</summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void ResumedRunEqualsUninterruptedRun(string name) =>
        AssertResumesExactly(name, o => ReferenceSetups.OptimizerSchedule(name, o));

    /// <summary>A warm-up in front of a plateau, fed the loss: the plateau's counters and best value survive too.</summary>
    [Fact]
    public void ResumedWarmupPlateauEqualsUninterruptedRun() => AssertResumesExactly("sgd_nesterov_decay", o =>
        new LinearWarmup(new ReduceLrOnPlateau(o, new() { Factor = 0.5, Patience = 1, Threshold = 0.05, Cooldown = 2 }),
            new() { Steps = 6, StartFactor = 0.2 }));

    private void AssertResumesExactly(string name, Func<Optimizer, LearningRateSchedule?> makeSchedule)
    {
        var problem = PyTorchReference.Instance.Problem;
        var (w0, b0) = (problem.W, problem.B);
        var uninterrupted = Run(name, makeSchedule, w0, b0, 0, Total, save: false);
        var firstPart = Run(name, makeSchedule, w0, b0, 0, StopAt, save: true);
        var resumed = Run(name, makeSchedule, firstPart.W, firstPart.B, StopAt, Total, save: false);

        Assert.Equal(uninterrupted.W, resumed.W);
        Assert.Equal(uninterrupted.B, resumed.B);
        Assert.Equal(uninterrupted.Rates, resumed.Rates);
        Assert.Equal(uninterrupted.Momentum, resumed.Momentum);
        Assert.NotEqual(firstPart.W, resumed.W); // the second part did train
    }

    private sealed record Outcome(float[] W, float[] B, double[] Rates, double[] Momentum);

    /// <summary>Runs steps [<paramref name="from"/>, <paramref name="to"/>); a run from a later step first loads the saved state.</summary>
    private Outcome Run(string name, Func<Optimizer, LearningRateSchedule?> makeSchedule, float[] w0, float[] b0, int from, int to, bool save)
    {
        var problem = PyTorchReference.Instance.Problem;
        using var w = Tensor.From(w0, problem.WShape).RequiresGrad_();
        using var b = Tensor.From(b0, b0.Length).RequiresGrad_();
        using var optimizer = ReferenceSetups.Optimizer(name, w, b);
        var schedule = makeSchedule(optimizer);
        string optimizerFile = Path.Combine(_folder, "optimizer.safetensors"), scheduleFile = Path.Combine(_folder, "schedule.json");
        if (from > 0)
        {
            optimizer.Load(optimizerFile);
            schedule?.LoadState(System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(scheduleFile))!.AsObject());
        }
        for (int step = from; step < to; step++)
        {
            optimizer.ZeroGrad();
            double lossValue;
            using (var loss = problem.Loss(w, b))
            {
                loss.Backward();
                lossValue = loss.ToDouble();
            }
            optimizer.Step();
            schedule?.Step(lossValue);
        }
        if (save)
        {
            optimizer.Save(optimizerFile, overwrite: true);
            if (schedule is not null) File.WriteAllText(scheduleFile, schedule.SaveState().ToJsonString());
        }
        return new Outcome(w.ToArray<float>(), b.ToArray<float>(),
            [.. optimizer.Groups.Select(g => g.LearningRate)], [.. optimizer.Groups.Select(g => g.Momentum)]);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
