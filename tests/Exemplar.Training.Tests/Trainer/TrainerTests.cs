using Exemplar.Torch;
using Exemplar.Training.Logging;
using Exemplar.Training.Optim;
using Exemplar.Training.Schedules;
using Exemplar.Training.Trainer;

namespace Exemplar.Training.Tests.Trainer;

public sealed class TrainerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("exemplar-trainer-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed record Setup(ToyNetwork Network, AdamW Optimizer, LearningRateSchedule Schedule, Trainer<ToyBatch> Trainer, Recorder Recorder) : IDisposable
    {
        public void Dispose()
        {
            Trainer.Dispose();
            Optimizer.Dispose();
            Network.Dispose();
        }
    }

    /// <summary>Everything a run can use at once: accumulation, clipping, EMA, warm-up + plateau on validations, dropout, batch norm.</summary>
    private static TrainerOptions FullOptions(long steps) => new()
    {
        Steps = steps,
        AccumulationSteps = 2,
        GradientClipNorm = 0.5,
        Ema = new EmaOptions { Decay = 0.9 },
        Seed = 7,
        LogEvery = 1,
        ValidateEvery = 3,
        CheckpointEvery = 2,
        Monitor = new MonitorOptions("acc"),
    };

    private Setup Create(TrainerOptions options, string run, ITrainerCallback? extra = null, IReadOnlyList<double>? script = null, int batches = 5)
    {
        var network = ToyNetwork.Create(11);
        var optimizer = new AdamW(ParameterGroups.SplitWeightDecay(network.NamedParameters(), 0.05), new AdamWOptions { LearningRate = 0.02 });
        var schedule = new LinearWarmup(new ReduceLrOnPlateau(optimizer, new() { Mode = PlateauMode.Max, Factor = 0.5, Patience = 1 }), new() { Steps = 4, StartFactor = 0.25 });
        var recorder = new Recorder();
        ITrainerCallback[] callbacks = extra is null ? [recorder] : [recorder, extra];
        var trainer = new Trainer<ToyBatch>(network, optimizer, schedule, new ToyData(batches), new ToyObjective(network),
            new ToyValidator(network, script), options, Path.Combine(_folder, run), callbacks);
        return new Setup(network, optimizer, schedule, trainer, recorder);
    }

    [Fact]
    public void StoppedAndResumedRunEqualsTheUninterruptedOneBitForBit()
    {
        const long total = 13; // 5 batches, accumulation 2: 3 steps per epoch, the last of one batch; epochs 0-4
        Dictionary<string, float[]> expected, expectedEma;
        double[] expectedRates;
        using (var full = Create(FullOptions(total), "full"))
        {
            full.Trainer.Run();
            expected = ToyNetwork.Snapshot(full.Network);
            using var scope = DisposeScope.Begin();
            expectedEma = full.Trainer.Ema!.StateDict().Where(kv => kv.Value.DType == DType.Float32).ToDictionary(kv => kv.Key, kv => kv.Value.ToArray<float>());
            expectedRates = [.. full.Optimizer.Groups.Select(g => g.LearningRate)];
        }

        using var cancel = new CancellationTokenSource();
        using (var first = Create(FullOptions(total), "split", new StopAfter(7, cancel)))
        {
            Assert.Throws<OperationCanceledException>(() => first.Trainer.Run(cancel.Token));
            Assert.Equal(7, first.Trainer.Step);
        }
        string last = Path.Combine(_folder, "split", "checkpoints", "last");
        Assert.Equal(6, (long)TrainingCheckpoint.ReadState(last)["step"]!); // checkpoints every 2 steps: 6 is the latest

        using var resumed = Create(FullOptions(total), "split");
        resumed.Trainer.Resume(last);
        Assert.Equal(6, resumed.Trainer.Step);
        resumed.Trainer.Run();
        Assert.Equal(total, resumed.Trainer.Step);
        var actual = ToyNetwork.Snapshot(resumed.Network);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, values) in expected) Assert.Equal(values, actual[name]);
        using (DisposeScope.Begin())
        {
            foreach (var (name, average) in resumed.Trainer.Ema!.StateDict().Where(kv => kv.Value.DType == DType.Float32))
                Assert.Equal(expectedEma[name], average.ToArray<float>());
        }
        Assert.Equal(expectedRates, resumed.Optimizer.Groups.Select(g => g.LearningRate));
        Assert.NotEqual(expected["classifier.weight"], ToyNetworkInitial("classifier.weight"));
    }

    private static float[] ToyNetworkInitial(string name)
    {
        using var network = ToyNetwork.Create(11);
        return ToyNetwork.Snapshot(network)[name];
    }

    [Fact]
    public void ResumeTruncatesTheLogToTheCheckpointAndCarriesOn()
    {
        string run = Path.Combine(_folder, "logged");
        string log = Path.Combine(run, "log.jsonl");
        using var cancel = new CancellationTokenSource();
        var options = FullOptions(9);
        using (var first = Create(options, "logged", new JsonlLog(log)))
        {
            first.Trainer.Run(new CancellationTokenSource().Token);
        }
        var uninterrupted = JsonlLog.Read(log).Where(r => r["loss"] is not null).Select(r => ((long)r["step"]!, (double)r["loss"]!)).ToList();
        Directory.Delete(run, recursive: true);
        using (var first = Create(options, "logged", new CompositeCallback(new JsonlLog(log), new StopAfter(5, cancel))))
        {
            Assert.Throws<OperationCanceledException>(() => first.Trainer.Run(cancel.Token));
        }
        using (var second = Create(options, "logged", new JsonlLog(log)))
        {
            second.Trainer.Resume(Path.Combine(run, "checkpoints", "last"));
            second.Trainer.Run();
        }
        var resumed = JsonlLog.Read(log).Where(r => r["loss"] is not null).Select(r => ((long)r["step"]!, (double)r["loss"]!)).ToList();
        Assert.Equal(uninterrupted, resumed); // steps 5 (logged after the step-4 checkpoint) taken again, logged once
    }

    private sealed class CompositeCallback(params ITrainerCallback[] callbacks) : ITrainerCallback
    {
        public void OnStart(TrainingStart start)
        {
            foreach (var c in callbacks) c.OnStart(start);
        }

        public void OnStep(StepRecord record)
        {
            foreach (var c in callbacks) c.OnStep(record);
        }
    }

    [Fact]
    public void AccumulatingTwoHalfBatchesMatchesOneFullBatch()
    {
        float[] Train(int accumulation, int batchSize)
        {
            // Without batch norm (whose statistics differ between half batches) and dropout, the sums must agree.
            using var network = ToyNetwork.Create(3, batchNorm: false, dropout: 0);
            using var optimizer = new Sgd([new ParameterGroup([.. network.Parameters()])], new SgdOptions { LearningRate = 0.1 });
            var data = new HalvesData(batchSize);
            using var trainer = new Trainer<ToyBatch>(network, optimizer, null, data, new ToyObjective(network), null,
                new TrainerOptions { Steps = 1, AccumulationSteps = accumulation });
            trainer.Run();
            return ToyNetwork.Snapshot(network)["classifier.weight"];
        }
        var accumulated = Train(2, 4);
        var whole = Train(1, 8);
        for (int i = 0; i < whole.Length; i++) Assert.Equal(whole[i], accumulated[i], 1e-6);
    }

    /// <summary>One batch of 8 as a whole, or as two batches of 4 (the same samples).</summary>
    private sealed class HalvesData(int batchSize) : ITrainingData<ToyBatch>
    {
        public int BatchesPerEpoch => 8 / batchSize;

        public IEnumerable<ToyBatch> ReadEpoch(int epoch, int firstBatch, CancellationToken cancellation)
        {
            using var all = ToyData.Make(0, 0, 8);
            for (int b = firstBatch; b < BatchesPerEpoch; b++)
                yield return new ToyBatch(all.Inputs.Narrow(0, b * batchSize, batchSize).Contiguous(), all.Labels.Narrow(0, b * batchSize, batchSize).Contiguous());
        }
    }

    [Fact]
    public void EarlyStoppingCountsValidationsWithoutImprovementAsOtxDoes()
    {
        // Validations at steps 1, 2, …: 0.5, 0.6 (better), 0.6 (not better by more than 0.0), 0.605 (not by more than 0.01), stop.
        var options = new TrainerOptions
        {
            Steps = 50, ValidateEvery = 1, Monitor = new MonitorOptions("acc"),
            EarlyStopping = new EarlyStoppingOptions { Patience = 2, MinDelta = 0.01 },
        };
        using var setup = Create(options, "early", script: [0.5, 0.6, 0.6, 0.605, 0.9]);
        var summary = setup.Trainer.Run();
        Assert.True(summary.StoppedEarly);
        Assert.Equal(4, summary.Steps);
        Assert.Equal(0.605, summary.BestValue); // the best checkpoint still follows any improvement
        Assert.Equal(4, summary.BestStep);
        Assert.True(setup.Recorder.Validations[^1].StopsEarly);
        Assert.True(File.Exists(Path.Combine(_folder, "early", "checkpoints", "best", TrainingCheckpoint.ModelFile)));
        Assert.Equal(4, (long)TrainingCheckpoint.ReadState(Path.Combine(_folder, "early", "checkpoints", "last"))["step"]!);
    }

    [Fact]
    public void AResumedRunThatStoppedEarlyStaysStopped()
    {
        var options = new TrainerOptions
        {
            Steps = 50, ValidateEvery = 1, Monitor = new MonitorOptions("acc"),
            EarlyStopping = new EarlyStoppingOptions { Patience = 1 },
        };
        using (var first = Create(options, "stopped", script: [0.5, 0.4]))
        {
            Assert.True(first.Trainer.Run().StoppedEarly);
        }
        using var again = Create(options, "stopped", script: [0.9]);
        again.Trainer.Resume(Path.Combine(_folder, "stopped", "checkpoints", "last"));
        var summary = again.Trainer.Run();
        Assert.True(summary.StoppedEarly);
        Assert.Equal(2, summary.Steps);
    }

    [Fact]
    public void EarlyStoppingWaitsForMinSteps()
    {
        var options = new TrainerOptions
        {
            Steps = 8, ValidateEvery = 1, Monitor = new MonitorOptions("acc"),
            EarlyStopping = new EarlyStoppingOptions { Patience = 1, MinSteps = 6 },
        };
        using var setup = Create(options, "minsteps", script: [0.5]);
        var summary = setup.Trainer.Run();
        Assert.Equal(6, summary.Steps);
    }

    [Fact]
    public void CheckpointModelFilesCarryTheModelMetadata()
    {
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["exemplar.segmentation"] = "{\"model\":\"toy\"}" };
        var options = new TrainerOptions { Steps = 2, ValidateEvery = 1, Monitor = new MonitorOptions("acc"), ModelMetadata = () => metadata };
        using var setup = Create(options, "described");
        setup.Trainer.Run();
        foreach (string kind in new[] { "best", "last" })
        {
            using var file = Exemplar.Torch.Serialization.SafeTensorsFile.Open(Path.Combine(_folder, "described", "checkpoints", kind, TrainingCheckpoint.ModelFile));
            Assert.Equal(metadata, file.Metadata.ToDictionary());
        }
    }

    [Fact]
    public void BestCheckpointHoldsTheWeightsOfTheBestValidation()
    {
        var options = new TrainerOptions { Steps = 6, ValidateEvery = 2, Monitor = new MonitorOptions("acc"), LogEvery = 1 };
        using var setup = Create(options, "best", script: [0.1, 0.7, 0.3]);
        setup.Trainer.Run();
        using var reloaded = ToyNetwork.Create(99);
        TrainingCheckpoint.LoadModel(Path.Combine(_folder, "best", "checkpoints", "best"), reloaded);
        var state = TrainingCheckpoint.ReadState(Path.Combine(_folder, "best", "checkpoints", "best"));
        Assert.Equal(4, (long)state["step"]!);
        Assert.Equal(0.7, (double)state["metrics"]!["acc"]!);
        Assert.NotEqual(ToyNetwork.Snapshot(setup.Network)["classifier.weight"], ToyNetwork.Snapshot(reloaded)["classifier.weight"]);
    }

    [Fact]
    public void ResumeRefusesACheckpointOfAnotherRun()
    {
        using (var first = Create(new TrainerOptions { Steps = 2, Seed = 1, Monitor = new MonitorOptions("acc") }, "other"))
        {
            first.Trainer.Run();
        }
        string last = Path.Combine(_folder, "other", "checkpoints", "last");
        using var second = Create(new TrainerOptions { Steps = 2, Seed = 2, Monitor = new MonitorOptions("acc") }, "other2");
        var e = Assert.Throws<Exemplar.Torch.Serialization.CheckpointFormatException>(() => second.Trainer.Resume(last));
        Assert.Contains("seeded 1", e.Message);
        var notBest = Assert.Throws<Exemplar.Torch.Serialization.CheckpointFormatException>(() => second.Trainer.Resume(Path.Combine(_folder, "other", "checkpoints", "best")));
        Assert.Contains("resume from checkpoints/last", notBest.Message);
    }

    [Fact]
    public void ADivergingLossStopsTheRunNamingTheStep()
    {
        using var network = ToyNetwork.Create(1);
        using var optimizer = new Sgd([new ParameterGroup([.. network.Parameters()])], new SgdOptions { LearningRate = 0.1 });
        using var trainer = new Trainer<ToyBatch>(network, optimizer, null, new ToyData(2), new NaNAfter(network, 3), null, new TrainerOptions { Steps = 5 });
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Run());
        Assert.Equal(4, e.Step);
        Assert.Contains("step 4", e.Message);
    }

    private sealed class NaNAfter(ToyNetwork network, int good) : ITrainingObjective<ToyBatch>
    {
        private int _calls;

        public Exemplar.Training.Losses.LossTerms Loss(ToyBatch batch)
        {
            var terms = new ToyObjective(network).Loss(batch);
            if (_calls++ < good) return terms;
            using (terms) return new Exemplar.Training.Losses.LossTerms(terms.Total * double.NaN, terms.Values);
        }
    }

    [Fact]
    public void ClippingScalesGradientsAsTorchClipGradNormDoes()
    {
        using var a = Tensor.From([3f, 0f]).RequiresGrad_();
        using var b = Tensor.From([0f, 4f]).RequiresGrad_();
        using (var loss = (a * a).Sum() / 2 + (b * b).Sum() / 2) loss.Backward(); // gradients = the values: total norm 5
        double norm = GradientClipping.ClipGradNorm([a, b], 1.0);
        Assert.Equal(5.0, norm, 6);
        using var ga = a.Grad!;
        using var gb = b.Grad!;
        float coefficient = (float)(1.0 / (5.0 + 1e-6));
        Assert.Equal([3 * coefficient, 0f], ga.ToArray<float>());
        Assert.Equal([0f, 4 * coefficient], gb.ToArray<float>());
        Assert.Equal(5 * coefficient, GradientClipping.GradNorm([a, b]), 5);
        Assert.Equal(5 * coefficient, GradientClipping.ClipGradNorm([a, b], 10), 5); // below the limit: unchanged
    }

    [Fact]
    public void EmaFollowsTheWeightsWithItsDecay()
    {
        using var network = ToyNetwork.Create(5);
        using var ema = new ModelEma(network, 0.75);
        var before = ToyNetwork.Snapshot(network)["classifier.bias"];
        using (LibTorch.NoGrad()) network.Classifier.Bias!.Add_(Tensor.Ones([3])).Dispose();
        ema.Update();
        using var scope = DisposeScope.Begin();
        var average = ema.StateDict()["classifier.bias"].ToArray<float>();
        for (int i = 0; i < 3; i++) Assert.Equal(before[i] * 0.75f + (before[i] + 1) * 0.25f, average[i], 6);
        using (ema.SwapInto())
        {
            Assert.Equal(average, ToyNetwork.Snapshot(network)["classifier.bias"]);
        }
        Assert.Equal(before.Select(v => v + 1), ToyNetwork.Snapshot(network)["classifier.bias"]);
    }

    [Fact]
    public void Bfloat16AutocastTrainsFloat32Weights()
    {
        var options = new TrainerOptions { Steps = 12, BFloat16Autocast = true, LogEvery = 4, Monitor = new MonitorOptions("acc") };
        using var setup = Create(options, "bf16", batches: 3);
        setup.Trainer.Run();
        Assert.All(setup.Network.Parameters(), p => Assert.Equal(DType.Float32, p.DType));
        var losses = setup.Recorder.Steps.Select(r => r.Loss).ToList();
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(losses[^1] < losses[0], $"the loss did not fall: {string.Join(", ", losses)}");
        Assert.False(LibTorch.AutocastEnabled); // the region ended with the step
    }

    [Fact]
    public void OptionsAreChecked()
    {
        Assert.Contains("exactly one of Epochs and Steps", Assert.Throws<ArgumentException>(() => new TrainerOptions().Validate()).Message);
        Assert.Contains("AccumulationSteps", Assert.Throws<ArgumentException>(() => new TrainerOptions { Steps = 1, AccumulationSteps = 0 }.Validate()).Message);
        Assert.Contains("GradientClipNorm", Assert.Throws<ArgumentException>(() => new TrainerOptions { Steps = 1, GradientClipNorm = -1 }.Validate()).Message);
    }
}
