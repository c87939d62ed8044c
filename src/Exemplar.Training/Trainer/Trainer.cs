using System.Diagnostics;
using System.Text.Json.Nodes;
using Exemplar.Torch;
using Exemplar.Torch.Distributed;
using Exemplar.Torch.Nn;
using Exemplar.Torch.Serialization;
using Exemplar.Training.Losses;
using Exemplar.Training.Optim;
using Exemplar.Training.Schedules;
using Exemplar.Vision.Datasets;

namespace Exemplar.Training.Trainer;

/// <summary>
/// Trains a model: per optimizer step, <see cref="TrainerOptions.AccumulationSteps"/> batches' losses are
/// back-propagated (each divided by the count), the gradients optionally clipped, the optimizer stepped, the EMA
/// updated, the schedule advanced (ReduceLROnPlateau advances on validations instead); validation, early stopping and
/// checkpoints follow the options. Everything a step draws comes from (seed, step) and (seed, epoch, item), so a run
/// resumed from its last checkpoint continues bit for bit as if it had never stopped (on the CPU).
/// </summary>
/// <remarks>
/// An epoch has ⌈batches / accumulation⌉ steps; its last step accumulates what is left. Checkpoints go to
/// <c>{run}/checkpoints/last</c> and <c>{run}/checkpoints/best</c> (see <see cref="TrainingCheckpoint"/>).
/// <para>
/// Data-parallel: with a <see cref="ProcessGroup"/>, every rank runs this loop on its shard of the data (the data
/// source shards it); rank 0's weights are broadcast at the start, gradients are averaged across ranks in buckets
/// before clipping and the optimizer step, so every rank takes the same step; the logged loss is the mean over ranks.
/// Rank 0 alone validates, writes checkpoints and calls the callbacks; the monitored value is broadcast so that
/// every rank's schedule and early stopping agree. At the end the ranks check that they hold the same weights.
/// </para>
/// </remarks>
/// <typeparam name="TBatch">What one batch is.</typeparam>
public sealed class Trainer<TBatch> : IDisposable where TBatch : IDisposable
{
    private readonly Module _model;
    private readonly Optimizer _optimizer;
    private readonly LearningRateSchedule? _schedule;
    private readonly ITrainingData<TBatch> _data;
    private readonly ITrainingObjective<TBatch> _objective;
    private readonly IValidator? _validator;
    private readonly IReadOnlyList<ITrainerCallback> _callbacks;
    private readonly Tensor[] _parameters;
    private readonly ModelEma? _ema;
    private readonly ProcessGroup? _group;

    private long _step;
    private int _epoch;
    private int _batchInEpoch;
    private double? _best;
    private long? _bestStep;
    private int _badValidations;
    private double? _stoppingBest;
    private bool _stoppedEarly;
    private readonly LossWindow _window = new();

    /// <summary>Sets up a run.</summary>
    /// <param name="model">The model (trained in place; the caller owns it).</param>
    /// <param name="optimizer">The optimizer over (some of) the model's parameters.</param>
    /// <param name="schedule">The learning-rate schedule over <paramref name="optimizer"/>, or null for constant rates.</param>
    /// <param name="data">The training batches.</param>
    /// <param name="objective">The loss of a batch.</param>
    /// <param name="validator">Scores on held-out data, or null (then no best checkpoint, no early stopping, no plateau schedule).</param>
    /// <param name="options">How long and how to train.</param>
    /// <param name="runDirectory">Where checkpoints go, or null for none.</param>
    /// <param name="callbacks">Logging, plotting, progress (called on rank 0 only).</param>
    /// <param name="group">The ranks training together, or null for one process.</param>
    public Trainer(Module model, Optimizer optimizer, LearningRateSchedule? schedule, ITrainingData<TBatch> data,
        ITrainingObjective<TBatch> objective, IValidator? validator, TrainerOptions options, string? runDirectory = null,
        IReadOnlyList<ITrainerCallback>? callbacks = null, ProcessGroup? group = null)
    {
        options.Validate();
        if (schedule is not null && !ReferenceEquals(schedule.Optimizer, optimizer)) throw new ArgumentException("the schedule belongs to another optimizer", nameof(schedule));
        if (validator is null && options.EarlyStopping is not null) throw new ArgumentException("early stopping needs a validator", nameof(options));
        if (validator is null && schedule is not null && NeedsMetricEver(schedule)) throw new ArgumentException($"{schedule.GetType().Name} steps on a validation metric and needs a validator", nameof(schedule));
        if (data.BatchesPerEpoch < 1) throw new ArgumentException("the training data has no batch", nameof(data));
        _model = model;
        _optimizer = optimizer;
        _schedule = schedule;
        _data = data;
        _objective = objective;
        _validator = validator;
        Options = options;
        RunDirectory = runDirectory;
        _group = group is { WorldSize: > 1 } ? group : null;
        IsMain = _group is null || _group.Rank == 0;
        _callbacks = IsMain ? callbacks ?? [] : [];
        _parameters = [.. optimizer.Groups.SelectMany(g => g.Parameters)];
        _ema = options.Ema is { } ema ? new ModelEma(model, ema.Decay) : null;
        (StepsPerEpoch, TotalSteps) = CountSteps(data.BatchesPerEpoch, options);
    }

    /// <summary>The options.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Optimizer steps per epoch (⌈batches / accumulation⌉) and in the run, for <paramref name="batchesPerEpoch"/> batches per epoch.</summary>
    public static (long StepsPerEpoch, long TotalSteps) CountSteps(int batchesPerEpoch, TrainerOptions options)
    {
        long perEpoch = (batchesPerEpoch + options.AccumulationSteps - 1) / options.AccumulationSteps;
        return (perEpoch, options.Steps ?? options.Epochs!.Value * perEpoch);
    }

    /// <summary>Whether this process validates, writes checkpoints and calls the callbacks (rank 0, or the only process).</summary>
    public bool IsMain { get; }

    /// <summary>Where checkpoints go, or null.</summary>
    public string? RunDirectory { get; }

    /// <summary>Optimizer steps in one epoch.</summary>
    public long StepsPerEpoch { get; }

    /// <summary>The step the run ends at.</summary>
    public long TotalSteps { get; }

    /// <summary>Steps done so far.</summary>
    public long Step => _step;

    /// <summary>The averaged weights, when <see cref="TrainerOptions.Ema"/> is set.</summary>
    public ModelEma? Ema => _ema;

    /// <summary>The last checkpoint's folder, or null without a run directory.</summary>
    public string? LastCheckpoint => RunDirectory is null ? null : Path.Combine(RunDirectory, "checkpoints", "last");

    /// <summary>The best checkpoint's folder, or null without a run directory.</summary>
    public string? BestCheckpoint => RunDirectory is null ? null : Path.Combine(RunDirectory, "checkpoints", "best");

    /// <summary>
    /// Restores model, EMA, optimizer, schedule, position, best value and early-stopping count from a checkpoint
    /// folder that a run with the same options wrote; <see cref="Run"/> then continues from its step.
    /// </summary>
    /// <exception cref="CheckpointFormatException">The folder is no checkpoint, or it does not fit this run (the message says what).</exception>
    public void Resume(string checkpoint)
    {
        var state = TrainingCheckpoint.ReadState(checkpoint);
        string statePath = Path.Combine(checkpoint, TrainingCheckpoint.StateFile);
        if ((string?)state["kind"] != "last") throw new CheckpointFormatException(checkpoint, "this is a best-weights checkpoint; resume from checkpoints/last");
        if ((ulong?)state["seed"] != Options.Seed) throw new CheckpointFormatException(statePath, $"the run was seeded {state["seed"]}, this one {Options.Seed}");
        if ((long?)state["total_steps"] != TotalSteps) throw new CheckpointFormatException(statePath, $"the run was to take {state["total_steps"]} steps, this one {TotalSteps}");
        if ((long?)state["steps_per_epoch"] != StepsPerEpoch) throw new CheckpointFormatException(statePath, $"the run had {state["steps_per_epoch"]} steps per epoch, this one {StepsPerEpoch}: not the same data or accumulation");
        TrainingCheckpoint.LoadModel(checkpoint, _model);
        if (_ema is not null) TrainingCheckpoint.LoadEma(checkpoint, _ema);
        _optimizer.Load(Path.Combine(checkpoint, TrainingCheckpoint.OptimizerFile));
        if (_schedule is not null)
        {
            var schedule = state["schedule"]?.AsObject() ?? throw new CheckpointFormatException(statePath, "the run had no schedule, this one has");
            try
            {
                _schedule.LoadState(schedule);
            }
            catch (ArgumentException e)
            {
                throw new CheckpointFormatException(statePath, e.Message);
            }
        }
        _step = (long)state["step"]!;
        _epoch = (int)state["epoch"]!;
        _batchInEpoch = (int)state["batch_in_epoch"]!;
        _best = (double?)state["best"];
        _bestStep = (long?)state["best_step"];
        _badValidations = (int?)state["bad_validations"] ?? 0;
        _stoppingBest = (double?)state["stopping_best"];
        _stoppedEarly = (bool?)state["stopped_early"] ?? false;
        if (state["log_window"] is JsonObject window) _window.Load(window);
    }

    /// <summary>Trains from the current step to the end (or until early stopping), then returns how it ended.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled (the last checkpoint stays as written).</exception>
    public TrainingSummary Run(CancellationToken cancellation = default)
    {
        var start = new TrainingStart(TotalSteps, StepsPerEpoch, _step, RunDirectory);
        if (_group is not null)
        {
            _group.BroadcastParameters(_model.Parameters().Concat(_model.NamedBuffers(persistentOnly: true).Select(b => b.Buffer)));
            // The average starts from the weights every rank now holds (a resumed one comes from the shared checkpoint).
            if (_ema is not null && _step == 0)
            {
                using var scope = DisposeScope.Begin();
                _ema.Load(_model.StateDict());
            }
        }
        foreach (var c in _callbacks) c.OnStart(start);
        var clock = Stopwatch.StartNew();
        double lastLogTime = 0;
        long lastLogStep = _step;
        var window = _window;
        bool stopped = _stoppedEarly; // a resumed run that had stopped early stays stopped
        IEnumerator<TBatch>? batches = null;
        try
        {
            while (_step < TotalSteps && !stopped)
            {
                cancellation.ThrowIfCancellationRequested();
                batches ??= _data.ReadEpoch(_epoch, _batchInEpoch, cancellation).GetEnumerator();
                int epoch = _epoch;
                var (loss, terms, gradNorm) = TrainStep(batches, cancellation);
                window.Add(loss, terms);
                _step++;
                if (_batchInEpoch == _data.BatchesPerEpoch)
                {
                    batches.Dispose();
                    batches = null;
                    _epoch++;
                    _batchInEpoch = 0;
                }
                bool last = _step == TotalSteps;
                if (_step % Options.LogEvery == 0 || last)
                {
                    double now = clock.Elapsed.TotalSeconds;
                    double speed = (_step - lastLogStep) / Math.Max(now - lastLogTime, 1e-9);
                    (lastLogTime, lastLogStep) = (now, _step);
                    var (meanLoss, meanTerms) = window.TakeMean();
                    var record = new StepRecord(_step, epoch, TotalSteps, meanLoss, meanTerms, LearningRateOfStep, gradNorm, speed, now);
                    foreach (var c in _callbacks) c.OnStep(record);
                }
                bool validated = false;
                if (_validator is not null && (last || (Options.ValidateEvery > 0 ? _step % Options.ValidateEvery == 0 : _batchInEpoch == 0)))
                {
                    stopped = _stoppedEarly = Validate(epoch, cancellation);
                    validated = true;
                }
                if (IsMain && RunDirectory is not null && (validated || last || stopped || (Options.CheckpointEvery > 0 && _step % Options.CheckpointEvery == 0)))
                {
                    WriteCheckpoint(LastCheckpoint!, "last", null);
                }
            }
        }
        finally
        {
            batches?.Dispose();
        }
        CheckRanksAgree();
        var summary = new TrainingSummary(_step, stopped, _best, _bestStep, RunDirectory);
        foreach (var c in _callbacks) c.OnEnd(summary);
        return summary;
    }

    /// <summary>The learning rate the step just taken used (the schedule has already moved on when it steps per iteration).</summary>
    private double LearningRateOfStep { get; set; }

    private (double Loss, IReadOnlyDictionary<string, double> Terms, double GradNorm) TrainStep(IEnumerator<TBatch> batches, CancellationToken cancellation)
    {
        LibTorch.ManualSeed(DataLoader.Mix(Options.Seed, (ulong)_step));
        _model.Train();
        _optimizer.ZeroGrad();
        int count = Math.Min(Options.AccumulationSteps, _data.BatchesPerEpoch - _batchInEpoch);
        double lossSum = 0;
        var termSums = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            if (!batches.MoveNext()) throw new InvalidOperationException($"the training data gave fewer than {_data.BatchesPerEpoch} batches in epoch {_epoch}");
            using var batch = batches.Current;
            using var scope = DisposeScope.Begin();
            LossTerms loss;
            using (EnterAutocast())
            {
                loss = _objective.Loss(batch);
            }
            using (loss)
            {
                double value = loss.Total.To(DType.Float64).Item<double>();
                // With ranks, the mean over ranks is checked below, so that every rank stops together.
                if (_group is null && !double.IsFinite(value)) throw new TrainingDivergedException(_step + 1, value);
                lossSum += value;
                foreach (var (name, term) in loss.Values) termSums[name] = termSums.GetValueOrDefault(name) + term;
                var scaled = count == 1 ? loss.Total : loss.Total / count;
                scaled.Backward();
            }
            _batchInEpoch++;
        }
        if (_group is not null)
        {
            _group.AverageGradients(_parameters);
            lossSum = MeanOverRanks(lossSum, termSums);
            if (!double.IsFinite(lossSum)) throw new TrainingDivergedException(_step + 1, lossSum / count);
        }
        double gradNorm = Options.GradientClipNorm is { } clip
            ? GradientClipping.ClipGradNorm(_parameters, clip)
            : GradientClipping.GradNorm(_parameters);
        LearningRateOfStep = _optimizer.Groups[0].LearningRate;
        _optimizer.Step();
        _ema?.Update();
        if (_schedule is not null && !_schedule.NeedsMetric) _schedule.Step();
        return (lossSum / count, termSums.ToDictionary(kv => kv.Key, kv => kv.Value / count, StringComparer.Ordinal), gradNorm);
    }

    /// <summary>Validates, updates best and early-stopping state, steps a plateau schedule; true when training should stop.</summary>
    private bool Validate(int epoch, CancellationToken cancellation)
    {
        IReadOnlyDictionary<string, double> metrics = new Dictionary<string, double>();
        string name = Options.Monitor.Metric;
        double value = double.NaN;
        if (IsMain)
        {
            _model.Eval();
            using (LibTorch.NoGrad())
            using (_ema is not null && Options.Ema!.ValidateWithEma ? _ema.SwapInto() : null)
            {
                metrics = _validator!.Validate(cancellation);
            }
            _model.Train();
            if (!metrics.TryGetValue(name, out value))
                throw new InvalidOperationException($"the validator gave no '{name}' (it gives: {string.Join(", ", metrics.Keys)}); set the monitored metric to one of those");
        }
        if (_group is not null)
        {
            // Every rank keeps the same best value, early-stopping count and plateau state: rank 0's value is broadcast.
            using var shared = Tensor.From(new[] { value }, 1);
            _group.Broadcast(shared, 0);
            value = shared.ToArray<double>()[0];
        }
        bool maximize = Options.Monitor.Goal == MetricGoal.Maximize;
        bool isBest = _best is not { } best || (maximize ? value > best : value < best);
        if (isBest)
        {
            _best = value;
            _bestStep = _step;
        }
        bool stop = false;
        if (Options.EarlyStopping is { } stopping)
        {
            bool improved = _stoppingBest is not { } reference || (maximize ? value > reference + stopping.MinDelta : value < reference - stopping.MinDelta);
            if (improved)
            {
                _stoppingBest = value;
                _badValidations = 0;
            }
            else
            {
                _badValidations++;
            }
            stop = _badValidations >= stopping.Patience && _step >= stopping.MinSteps && _step < TotalSteps;
        }
        if (_schedule is not null && _schedule.NeedsMetric) _schedule.Step(value);
        if (isBest && IsMain && RunDirectory is not null) WriteCheckpoint(BestCheckpoint!, "best", metrics);
        var record = new ValidationRecord(_step, epoch, metrics, value, isBest, stop);
        foreach (var c in _callbacks) c.OnValidation(record);
        return stop;
    }

    private void WriteCheckpoint(string directory, string kind, IReadOnlyDictionary<string, double>? metrics)
    {
        var state = new JsonObject
        {
            ["kind"] = kind,
            ["step"] = _step,
            ["epoch"] = _epoch,
            ["batch_in_epoch"] = _batchInEpoch,
            ["total_steps"] = TotalSteps,
            ["steps_per_epoch"] = StepsPerEpoch,
            ["seed"] = Options.Seed,
            ["best"] = _best,
            ["best_step"] = _bestStep,
            ["monitor"] = Options.Monitor.Metric,
            ["bad_validations"] = _badValidations,
            ["stopping_best"] = _stoppingBest,
            ["stopped_early"] = _stoppedEarly,
            ["log_window"] = _window.Save(),
            ["schedule"] = _schedule?.SaveState(),
        };
        if (metrics is not null) state["metrics"] = new JsonObject([.. metrics.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]);
        if (kind == "best")
        {
            // The best weights are the ones validated: the average when validating with it.
            bool averaged = _ema is not null && Options.Ema!.ValidateWithEma;
            state["weights"] = averaged ? "ema" : "model";
            using (averaged ? _ema!.SwapInto() : null)
            {
                TrainingCheckpoint.Write(directory, _model, null, null, state, Options.ModelMetadata?.Invoke());
            }
            return;
        }
        TrainingCheckpoint.Write(directory, _model, _ema, _optimizer, state, Options.ModelMetadata?.Invoke());
    }

    /// <summary>The mean over ranks of this step's loss and terms (for the log), one all-reduce.</summary>
    private double MeanOverRanks(double loss, Dictionary<string, double> terms)
    {
        var names = terms.Keys.Order(StringComparer.Ordinal).ToArray();
        using var values = Tensor.From((double[])[loss, .. names.Select(n => terms[n])], names.Length + 1);
        _group!.AllReduceSum(values);
        var summed = values.ToArray<double>();
        for (int i = 0; i < names.Length; i++) terms[names[i]] = summed[i + 1] / _group.WorldSize;
        return summed[0] / _group.WorldSize;
    }

    /// <summary>Fails loudly if the ranks' weights drifted apart (they take identical steps, so they never should).</summary>
    private void CheckRanksAgree()
    {
        if (_group is null) return;
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        double own = 0;
        foreach (var p in _parameters) own += p.To(DType.Float64).Abs().Sum().Item<double>();
        using var total = Tensor.From(new[] { own }, 1);
        _group.AllReduceSum(total);
        double mean = total.ToArray<double>()[0] / _group.WorldSize;
        if (Math.Abs(mean - own) > 1e-9 * Math.Max(1, Math.Abs(own)))
            throw new InvalidOperationException($"rank {_group.Rank}'s weights differ from the other ranks' (Σ|w| {own} against a mean of {mean}): the ranks did not train in step");
    }

    private IDisposable? EnterAutocast() => Options.BFloat16Autocast ? LibTorch.Autocast(DType.BFloat16) : null;

    private static bool NeedsMetricEver(LearningRateSchedule schedule) =>
        schedule is ReduceLrOnPlateau || (schedule is LinearWarmup warmup && warmup.Schedule is ReduceLrOnPlateau);

    /// <summary>Frees the EMA (the model, optimizer and data stay the caller's).</summary>
    public void Dispose() => _ema?.Dispose();
}

/// <summary>Sums losses between two logged steps, for their mean (as mmseg logs the mean over the interval).</summary>
internal sealed class LossWindow
{
    private readonly Dictionary<string, double> _terms = new(StringComparer.Ordinal);
    private double _loss;
    private int _count;

    public void Add(double loss, IReadOnlyDictionary<string, double> terms)
    {
        _loss += loss;
        foreach (var (name, value) in terms) _terms[name] = _terms.GetValueOrDefault(name) + value;
        _count++;
    }

    /// <summary>The sums so far, for a checkpoint (a resumed run's first logged mean then covers the same steps).</summary>
    public JsonObject Save() => new()
    {
        ["loss"] = _loss,
        ["count"] = _count,
        ["terms"] = new JsonObject([.. _terms.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]),
    };

    public void Load(JsonObject state)
    {
        _loss = (double)state["loss"]!;
        _count = (int)state["count"]!;
        _terms.Clear();
        foreach (var (name, value) in state["terms"]!.AsObject()) _terms[name] = (double)value!;
    }

    public (double Loss, IReadOnlyDictionary<string, double> Terms) TakeMean()
    {
        var mean = (_loss / _count, (IReadOnlyDictionary<string, double>)_terms.ToDictionary(kv => kv.Key, kv => kv.Value / _count, StringComparer.Ordinal));
        _loss = 0;
        _count = 0;
        _terms.Clear();
        return mean;
    }
}

/// <summary>A training loss became NaN or infinite: the run stops rather than train on garbage.</summary>
public sealed class TrainingDivergedException(long step, double loss)
    : Exception($"training diverged at step {step}: the loss is {loss}; lower the learning rate, clip gradients (GradientClipNorm) or check the data")
{
    /// <summary>The step whose loss was not finite.</summary>
    public long Step { get; } = step;
}
