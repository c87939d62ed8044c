using Exemplar.Models.Segmentation;

namespace Exemplar.Training.Recipes;

/// <summary>A recipe read from a file and checked: every value in range, every file and folder it names present.</summary>
public sealed class RecipeFile
{
    private readonly YamlRecipeMapper _mapper;

    private RecipeFile(string path, TrainingRecipe recipe, YamlRecipeMapper mapper, string? sharedFolder)
    {
        Path = path;
        Recipe = recipe;
        _mapper = mapper;
        SharedFolder = sharedFolder;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>What it says.</summary>
    public TrainingRecipe Recipe { get; }

    /// <summary>What <c>$shared/</c> stands for, or null when there is no shared folder.</summary>
    public string? SharedFolder { get; }

    /// <summary>Reads and checks a recipe.</summary>
    /// <param name="path">The YAML file.</param>
    /// <param name="sharedFolder">The shared data folder, for paths that start with <c>$shared/</c> (null: such paths are an error).</param>
    /// <exception cref="RecipeException">The file is missing, not YAML, has an unknown key or a wrong value, or names a missing file (the message gives file, line and key).</exception>
    public static RecipeFile Read(string path, string? sharedFolder)
    {
        var (recipe, mapper) = YamlRecipeMapper.Read<TrainingRecipe>(path);
        var file = new RecipeFile(path, recipe, mapper, sharedFolder);
        file.Check();
        return file;
    }

    /// <summary>A path of the recipe resolved: <c>$shared/…</c> in the shared folder, anything else relative to the recipe's folder.</summary>
    public string Resolve(string key, string value) => ResolvePath(Path, SharedFolder, key, value, ErrorAt);

    /// <summary>
    /// A path written in the recipe at <paramref name="recipePath"/> resolved: <c>$shared/…</c> in
    /// <paramref name="sharedFolder"/>, anything else relative to the recipe's folder.
    /// </summary>
    /// <exception cref="RecipeException">The path is in the shared folder and there is none.</exception>
    public static string ResolvePath(string recipePath, string? sharedFolder, string key, string value, Func<string, string, RecipeException> errorAt)
    {
        const string shared = "$shared/";
        if (value.StartsWith(shared, StringComparison.Ordinal))
        {
            if (sharedFolder is null) throw errorAt(key, $"'{value}' is in the shared data folder, and there is none (set EXEMPLAR_SHARED)");
            return System.IO.Path.GetFullPath(System.IO.Path.Combine(sharedFolder, value[shared.Length..]));
        }
        return System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(recipePath))!, value));
    }

    /// <summary>An error pointing at <paramref name="key"/>'s line.</summary>
    public RecipeException ErrorAt(string key, string problem) => _mapper.ErrorAt(key, problem);

    private void Check()
    {
        var r = Recipe;
        if (!_mapper.Wrote("model.name")) throw ErrorAt("model.name", $"a recipe names its model; the zoo has: {string.Join(", ", SegmentationZoo.Models.Select(m => m.Name))}");
        if (!SegmentationZoo.Models.Any(m => string.Equals(m.Name, r.Model.Name, StringComparison.OrdinalIgnoreCase)))
            throw ErrorAt("model.name", $"unknown model '{r.Model.Name}'; the zoo has: {string.Join(", ", SegmentationZoo.Models.Select(m => m.Name))}");
        if (r.Model.BackboneWeights is { } weights && !File.Exists(Resolve("model.backbone_weights", weights)))
            throw ErrorAt("model.backbone_weights", $"no such file: {Resolve("model.backbone_weights", weights)}");

        if (r.Model.Weights is { } start && !File.Exists(Resolve("model.weights", start)))
            throw ErrorAt("model.weights", $"no such model file: {Resolve("model.weights", start)}");
        if (r.Quantization is { } q)
        {
            if (r.Trainer.Bf16) throw ErrorAt("trainer.bf16", "quantisation-aware training runs in float32 (its fake quantisation is float32); leave bf16 off");
            Positive("quantization.calibration_batches", q.CalibrationBatches);
            if (!(q.AveragingConstant is > 0 and <= 1)) throw ErrorAt("quantization.averaging_constant", $"must be in (0, 1], got {q.AveragingConstant}");
        }

        if (!_mapper.Wrote("data.root")) throw ErrorAt("data.root", "a recipe names its data set's folder (data.root)");
        string root = Resolve("data.root", r.Data.Root);
        if (!Directory.Exists(root)) throw ErrorAt("data.root", $"no such data set folder: {root}");
        Positive("data.crop_height", r.Data.CropHeight);
        Positive("data.crop_width", r.Data.CropWidth);
        Positive("data.batch_size", r.Data.BatchSize);
        if (r.Data.Workers < 0) throw ErrorAt("data.workers", $"must be 0 or more, got {r.Data.Workers}");
        if (r.Data.TrainLimit is { } tl) Positive("data.train_limit", tl);
        if (r.Data.ValLimit is { } vl) Positive("data.val_limit", vl);

        var a = r.Augment;
        if (!(a.MinScale > 0 && a.MinScale <= a.MaxScale && a.MaxScale <= 1)) throw ErrorAt(_mapper.Wrote("augment.min_scale") ? "augment.min_scale" : "augment.max_scale", $"need 0 < min_scale ≤ max_scale ≤ 1, got {a.MinScale} and {a.MaxScale}");
        Probability("augment.flip", a.Flip);
        Probability("augment.rotate", a.Rotate);
        Probability("augment.photometric", a.Photometric);
        Probability("augment.cutmix", a.Cutmix);
        Probability("augment.mosaic", a.Mosaic);

        CheckOptimization(r.Optimizer, r.Schedule, r.Trainer, ErrorAt);
        if (!(r.Optimizer.BackboneLrScale is >= 0 and <= 1)) throw ErrorAt("optimizer.backbone_lr_scale", $"must be in [0, 1], got {r.Optimizer.BackboneLrScale}");
        if (r.Trainer.Monitor is not ("mIoU" or "mDice" or "mAcc" or "aAcc") && !r.Trainer.Monitor.StartsWith("IoU.", StringComparison.Ordinal))
            throw ErrorAt("trainer.monitor", $"'{r.Trainer.Monitor}' is not a validation metric: mIoU, mDice, mAcc, aAcc or IoU.<class>");
    }

    /// <summary>Checks the sections every recipe shares: optimizer, schedule and trainer (not the monitored metric, which depends on the validator).</summary>
    /// <param name="o">The optimizer section.</param>
    /// <param name="schedule">The schedule section.</param>
    /// <param name="t">The trainer section.</param>
    /// <param name="errorAt">Makes an error that points at a key's line.</param>
    /// <exception cref="RecipeException">A value is out of range.</exception>
    public static void CheckOptimization(OptimizerRecipe o, ScheduleRecipe schedule, TrainerRecipe t, Func<string, string, RecipeException> errorAt)
    {
        void Positive(string key, long value)
        {
            if (value < 1) throw errorAt(key, $"must be at least 1, got {value}");
        }
        if (o.Lr <= 0) throw errorAt("optimizer.lr", $"must be positive, got {o.Lr}");
        if (o.WeightDecay < 0) throw errorAt("optimizer.weight_decay", $"must be 0 or more, got {o.WeightDecay}");
        if ((t.Epochs is null) == (t.Steps is null)) throw errorAt(t.Epochs is null ? "trainer" : "trainer.steps", "set exactly one of trainer.epochs and trainer.steps");
        if (t.Epochs is { } e) Positive("trainer.epochs", e);
        if (t.Steps is { } s) Positive("trainer.steps", s);
        Positive("trainer.accumulation", t.Accumulation);
        Positive("trainer.log_every", t.LogEvery);
        if (t.EmaDecay is { } d && !(d is >= 0 and < 1)) throw errorAt("trainer.ema_decay", $"must be in [0, 1), got {d}");
        if (schedule.Kind == ScheduleKind.MultiStep && schedule.Milestones is not { Count: > 0 }) throw errorAt("schedule.kind", "multi_step needs schedule.milestones");
        if (schedule.WarmupSteps < 0) throw errorAt("schedule.warmup_steps", $"must be 0 or more, got {schedule.WarmupSteps}");
        if (!(schedule.WarmupStartFactor is > 0 and <= 1)) throw errorAt("schedule.warmup_start_factor", $"must be in (0, 1], got {schedule.WarmupStartFactor}");
    }

    private void Positive(string key, long value)
    {
        if (value < 1) throw ErrorAt(key, $"must be at least 1, got {value}");
    }

    private void Probability(string key, double value)
    {
        if (!(value is >= 0 and <= 1)) throw ErrorAt(key, $"is a probability in [0, 1], got {value}");
    }
}
