namespace Exemplar.Training.Trainer;

/// <summary>Whether a monitored metric is better when larger or smaller.</summary>
public enum MetricGoal
{
    /// <summary>Larger is better (mIoU, Dice, accuracy).</summary>
    Maximize,
    /// <summary>Smaller is better (a validation loss).</summary>
    Minimize,
}

/// <summary>The validation metric that selects the best checkpoint and drives early stopping and ReduceLROnPlateau.</summary>
/// <param name="Metric">Its name among the validator's metrics (e.g. "mIoU").</param>
/// <param name="Goal">Whether larger or smaller is better.</param>
public sealed record MonitorOptions(string Metric = "mIoU", MetricGoal Goal = MetricGoal.Maximize);

/// <summary>
/// Early stopping as OpenVINO Training Extensions does it (mmcv's EarlyStoppingHook): after each validation, a value
/// better than the best by more than <see cref="MinDelta"/> resets the count; otherwise the count grows, and training
/// stops when it reaches <see cref="Patience"/> — but never before <see cref="MinSteps"/> optimizer steps.
/// </summary>
public sealed record EarlyStoppingOptions
{
    /// <summary>Validations without improvement before stopping (OTX: 5).</summary>
    public int Patience { get; init; } = 5;

    /// <summary>How much better than the best a value must be to count as an improvement (OTX: 0).</summary>
    public double MinDelta { get; init; }

    /// <summary>Optimizer steps before which training never stops early (OTX's iteration_patience).</summary>
    public long MinSteps { get; init; }
}

/// <summary>An exponential moving average of the weights (timm's ModelEmaV2): ema = decay·ema + (1 − decay)·weights after each step.</summary>
public sealed record EmaOptions
{
    /// <summary>The decay (default 0.999).</summary>
    public double Decay { get; init; } = 0.999;

    /// <summary>Validate and select the best checkpoint with the averaged weights (default true).</summary>
    public bool ValidateWithEma { get; init; } = true;
}

/// <summary>How long and how a <see cref="Trainer{TBatch}"/> trains.</summary>
public sealed record TrainerOptions
{
    /// <summary>Epochs to train (one of <see cref="Epochs"/> and <see cref="Steps"/>).</summary>
    public int? Epochs { get; init; }

    /// <summary>Optimizer steps to train (one of <see cref="Epochs"/> and <see cref="Steps"/>).</summary>
    public long? Steps { get; init; }

    /// <summary>Batches whose gradients are summed (each loss divided by the count) before one optimizer step (default 1).</summary>
    public int AccumulationSteps { get; init; } = 1;

    /// <summary>Clip the gradients' total L2 norm to this value before each step (torch.nn.utils.clip_grad_norm_), or null.</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>Run forward passes under CPU autocast to bfloat16 (matrix products and convolutions in bfloat16, weights and gradients float32).</summary>
    public bool BFloat16Autocast { get; init; }

    /// <summary>Keep an exponential moving average of the weights, or null.</summary>
    public EmaOptions? Ema { get; init; }

    /// <summary>
    /// The seed of every random draw in training: libtorch's generator is reseeded from (seed, step) before each step
    /// (dropout, random initialisation inside the step), the data pipeline seeds from (seed, epoch, item); so a run
    /// resumed at step k draws exactly what the uninterrupted run drew.
    /// </summary>
    public ulong Seed { get; init; }

    /// <summary>Log (JSONL, curves, progress) every this many steps, and at the last (default 10).</summary>
    public int LogEvery { get; init; } = 10;

    /// <summary>Validate every this many steps; 0 (the default) validates at the end of each epoch. The last step always validates.</summary>
    public long ValidateEvery { get; init; }

    /// <summary>Also write the last checkpoint every this many steps; 0 (the default) writes it after each validation and at the end.</summary>
    public long CheckpointEvery { get; init; }

    /// <summary>The metric that selects the best checkpoint.</summary>
    public MonitorOptions Monitor { get; init; } = new();

    /// <summary>Stop early when the monitored metric stops improving, or null.</summary>
    public EarlyStoppingOptions? EarlyStopping { get; init; }

    /// <summary>
    /// Safetensors header metadata for every checkpoint's <c>model.safetensors</c>, asked for at each checkpoint, e.g.
    /// a segmentation model file's description (<c>SegmentationModelFile.Metadata</c>, with the quantisation ranges of
    /// that moment in quantisation-aware training) so that the file can be used on its own; null writes PyTorch's
    /// plain <c>format: pt</c>.
    /// </summary>
    public Func<IReadOnlyDictionary<string, string>>? ModelMetadata { get; init; }

    /// <summary>Checks the options; the message names the option at fault.</summary>
    /// <exception cref="ArgumentException">An option is out of range, or both or neither of Epochs and Steps are set.</exception>
    public void Validate()
    {
        if ((Epochs is null) == (Steps is null)) throw new ArgumentException("TrainerOptions: set exactly one of Epochs and Steps");
        if (Epochs is < 1) throw new ArgumentException($"TrainerOptions.Epochs must be at least 1, got {Epochs}");
        if (Steps is < 1) throw new ArgumentException($"TrainerOptions.Steps must be at least 1, got {Steps}");
        if (AccumulationSteps < 1) throw new ArgumentException($"TrainerOptions.AccumulationSteps must be at least 1, got {AccumulationSteps}");
        if (GradientClipNorm is { } clip && !(clip > 0)) throw new ArgumentException($"TrainerOptions.GradientClipNorm must be positive, got {clip}");
        if (LogEvery < 1) throw new ArgumentException($"TrainerOptions.LogEvery must be at least 1, got {LogEvery}");
        if (ValidateEvery < 0) throw new ArgumentException($"TrainerOptions.ValidateEvery must be 0 or more, got {ValidateEvery}");
        if (CheckpointEvery < 0) throw new ArgumentException($"TrainerOptions.CheckpointEvery must be 0 or more, got {CheckpointEvery}");
        if (Ema is { } ema && !(ema.Decay is >= 0 and < 1)) throw new ArgumentException($"TrainerOptions.Ema.Decay must be in [0, 1), got {ema.Decay}");
        if (EarlyStopping is { } stop)
        {
            if (stop.Patience < 1) throw new ArgumentException($"TrainerOptions.EarlyStopping.Patience must be at least 1, got {stop.Patience}");
            if (stop.MinDelta < 0) throw new ArgumentException($"TrainerOptions.EarlyStopping.MinDelta must be 0 or more, got {stop.MinDelta}");
        }
        if (string.IsNullOrWhiteSpace(Monitor.Metric)) throw new ArgumentException("TrainerOptions.Monitor.Metric must name a metric");
    }
}
