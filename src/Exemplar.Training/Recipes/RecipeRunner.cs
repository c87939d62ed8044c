using System.Text.Json;
using System.Text.Json.Nodes;
using Exemplar.Models.Quantization;
using Exemplar.Models.Segmentation;
using Exemplar.Torch;
using Exemplar.Torch.Distributed;
using Exemplar.Training.Logging;
using Exemplar.Training.Losses;
using Exemplar.Training.Optim;
using Exemplar.Training.Schedules;
using Exemplar.Training.Segmentation;
using Exemplar.Training.Trainer;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Transforms;

namespace Exemplar.Training.Recipes;

/// <summary>How to run a recipe.</summary>
public sealed record TrainingRunOptions
{
    /// <summary>The run folder: checkpoints, <c>log.jsonl</c>, curves, the recipe's copy, <c>summary.json</c>.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>A <c>checkpoints/last</c> folder to continue from, or null to start afresh.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>More callbacks (a progress display); rank 0 calls them.</summary>
    public IReadOnlyList<ITrainerCallback> Callbacks { get; init; } = [];

    /// <summary>
    /// The ranks training together (each reads its shard of the training set; rank 0 writes the run folder), or null
    /// for one process. The recipe's batch size is per rank.
    /// </summary>
    public ProcessGroup? Group { get; init; }
}

/// <summary>
/// Builds everything a recipe describes — data sets and pipelines, network, loss, optimizer groups, schedule,
/// trainer, log and curves — and trains. What <c>exemplar train --recipe</c> runs.
/// </summary>
public static class RecipeRunner
{
    /// <summary>The JSONL log in a run folder.</summary>
    public const string LogFile = "log.jsonl";

    /// <summary>Trains as <paramref name="recipe"/> says.</summary>
    /// <exception cref="RecipeException">Something the recipe names cannot be used (the message gives the line).</exception>
    /// <exception cref="IOException">The run folder already holds another run and this is not a resume of it.</exception>
    public static TrainingSummary Run(RecipeFile recipe, TrainingRunOptions options, CancellationToken cancellation = default)
    {
        var r = recipe.Recipe;
        string output = Path.GetFullPath(options.OutputDirectory);
        bool main = options.Group is null || options.Group.Rank == 0;
        if (main)
        {
            CheckOutput(output, options.ResumeFrom);
            Directory.CreateDirectory(output);
            string copy = Path.Combine(output, "recipe.yaml");
            if (!string.Equals(Path.GetFullPath(recipe.Path), copy, StringComparison.Ordinal)) File.Copy(recipe.Path, copy, overwrite: true);
        }

        var (trainSet, valSet) = OpenData(recipe);
        int classes = trainSet.Classes.Count;
        LibTorch.ManualSeed(r.Trainer.Seed); // the head's random initialisation
        var zoo = SegmentationZoo.Get(r.Model.Name);
        using var network = zoo.Create(classes, r.Model.BackboneWeights is { } w ? recipe.Resolve("model.backbone_weights", w) : null);

        if (r.Model.Weights is { } start) LoadStart(recipe, recipe.Resolve("model.weights", start), network, zoo, [.. trainSet.Classes.Select(c => c.Name)]);

        var normalize = new NormalizeOptions(network.Preprocessing.Mean, network.Preprocessing.Std);
        int multiple = network.Preprocessing.SizeMultiple;
        if (r.Data.CropHeight % multiple != 0) throw recipe.ErrorAt("data.crop_height", $"{zoo.Name} needs sizes that are multiples of {multiple}, got {r.Data.CropHeight}");
        if (r.Data.CropWidth % multiple != 0) throw recipe.ErrorAt("data.crop_width", $"{zoo.Name} needs sizes that are multiples of {multiple}, got {r.Data.CropWidth}");
        var trainLoader = new DataLoader(trainSet, new DataLoaderOptions
        {
            BatchSize = r.Data.BatchSize,
            Shuffle = true,
            // Full batches only, unless the set (this rank's share of it) cannot fill one.
            DropLast = (options.Group is { WorldSize: > 1 } ranks ? (trainSet.Count + ranks.WorldSize - 1) / ranks.WorldSize : trainSet.Count) >= r.Data.BatchSize,
            Seed = unchecked((int)r.Trainer.Seed),
            Workers = r.Data.Workers,
            Transform = TrainPipeline(r, trainSet, normalize),
            Shard = options.Group is { WorldSize: > 1 } g ? new DataShard(g.Rank, g.WorldSize) : null,
        });
        var valLoader = new DataLoader(valSet, new DataLoaderOptions { BatchSize = 1, Workers = r.Data.Workers, Transform = new Normalize(normalize) });

        SegmentationLoss loss;
        try
        {
            loss = new SegmentationLoss(new SegmentationLossOptions
            {
                CrossEntropyWeight = r.Loss.CrossEntropy,
                DiceWeight = r.Loss.Dice,
                FocalWeight = r.Loss.Focal,
                LabelSmoothing = r.Loss.LabelSmoothing,
                ClassWeights = r.Loss.ClassWeights,
                IgnoreIndex = trainSet.IgnoreLabel,
            });
        }
        catch (ArgumentException e)
        {
            throw recipe.ErrorAt("loss", e.Message);
        }
        if (r.Loss.ClassWeights is { } cw && cw.Count != classes) throw recipe.ErrorAt("loss.class_weights", $"{cw.Count} weights for {classes} classes");

        // Quantisation-aware training: fold and calibrate before the optimizer sees the parameters (folding adds biases).
        if (r.Quantization is not null && options.Group is { WorldSize: > 1 })
            throw recipe.ErrorAt("quantization", "quantisation-aware training runs in one process: each rank would observe its own activation ranges");
        var quantization = r.Quantization is { } q ? PrepareQuantization(network, trainLoader, q, options.ResumeFrom) : null;
        var description = SegmentationModelInfo.For(zoo.Name, network, [.. trainSet.Classes.Select(c => c.Name)], trainSet.IgnoreLabel, trainSet.Name, Path.GetFileName(recipe.Path));

        var trainerOptions = TrainerOptionsFor(r.Trainer) with
        {
            // Every checkpoint's model.safetensors is then a model file that eval --model and predict can use alone (an
            // int8 one, with the ranges of that moment, in quantisation-aware training).
            ModelMetadata = () => SegmentationModelFile.Metadata(description with { Quantization = quantization?.Ranges() }),
        };
        long totalSteps = Trainer<SegmentationBatch>.CountSteps(trainLoader.BatchCount, trainerOptions).TotalSteps;

        using var optimizer = CreateOptimizer(r.Optimizer, network);
        var schedule = CreateSchedule(r.Schedule, recipe.ErrorAt, optimizer, totalSteps);
        string logPath = Path.Combine(output, LogFile);
        var validator = new SegmentationValidator(network, valLoader, [.. trainSet.Classes.Select(c => c.Name)], trainSet.IgnoreLabel);
        ITrainerCallback[] callbacks = [new JsonlLog(logPath), new TrainingCurves(Path.Combine(output, "curves"), logPath), .. options.Callbacks];
        using var trainer = new Trainer<SegmentationBatch>(network, optimizer, schedule, new SegmentationTrainingData(trainLoader),
            new SegmentationObjective(network, loss), validator, trainerOptions, output, callbacks, options.Group);
        if (options.ResumeFrom is { } resume)
        {
            trainer.Resume(resume);
            // The observers' moving averages are part of the run's state: the checkpoint's model file has them.
            if (quantization is not null && SegmentationModelFile.ReadInfo(Path.Combine(resume, TrainingCheckpoint.ModelFile)).Quantization is { } ranges)
            {
                quantization.Restore(ranges);
                quantization.Mode = QuantizationMode.Train;
            }
        }
        var summary = trainer.Run(cancellation);
        if (main) WriteSummary(Path.Combine(output, "summary.json"), summary, zoo, classes, trainSet, valSet, validator);
        return summary;
    }

    /// <summary>Starts from a float model file of the same network and classes (strict).</summary>
    private static void LoadStart(RecipeFile recipe, string path, SegmentationNetwork network, SegmentationZooModel zoo, IReadOnlyList<string> classes)
    {
        var info = SegmentationModelFile.ReadInfo(path);
        if (!string.Equals(info.Model, zoo.Name, StringComparison.OrdinalIgnoreCase)) throw recipe.ErrorAt("model.weights", $"{path} is a {info.Model}, the recipe trains {zoo.Name}");
        if (!info.Classes.SequenceEqual(classes)) throw recipe.ErrorAt("model.weights", $"{path} has classes {string.Join(", ", info.Classes)}, the data set {string.Join(", ", classes)}");
        if (info.Quantization is not null) throw recipe.ErrorAt("model.weights", $"{path} is already quantised; start from the float model");
        try
        {
            Torch.Serialization.Checkpoints.LoadInto(network, path, zoo.Name);
        }
        catch (Torch.Serialization.CheckpointFormatException e)
        {
            throw recipe.ErrorAt("model.weights", e.Message);
        }
    }

    /// <summary>Folds batch norms, attaches quantisers, calibrates on the first training batches (unless resuming: the checkpoint has the ranges).</summary>
    private static NetworkQuantization PrepareQuantization(SegmentationNetwork network, DataLoader loader, QuantizationRecipe q, string? resume)
    {
        var quantization = NetworkQuantization.Prepare(network, q.AveragingConstant);
        if (resume is null) quantization.Calibrate(Images(loader.ReadEpoch(0).Take(q.CalibrationBatches)));
        quantization.Mode = QuantizationMode.Train;
        return quantization;
    }

    /// <summary>The batches' images, each batch freed once the next is asked for.</summary>
    private static IEnumerable<Tensor> Images(IEnumerable<SegmentationBatch> batches)
    {
        foreach (var batch in batches)
        {
            using (batch) yield return batch.Images;
        }
    }

    /// <summary>Refuses a run folder that holds files, unless the run resumes from a checkpoint inside it.</summary>
    /// <exception cref="IOException">The message says how to resume or where to go instead.</exception>
    public static void CheckOutput(string output, string? resume)
    {
        output = Path.GetFullPath(output);
        if (!Directory.Exists(output) || !Directory.EnumerateFileSystemEntries(output).Any()) return;
        if (resume is not null && Path.GetFullPath(resume).StartsWith(output + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return;
        throw new IOException($"{output} already holds files; continue that run with --resume {Path.Combine(output, "checkpoints", "last")}, or choose an empty folder");
    }

    private static (ISegmentationDataset Train, ISegmentationDataset Val) OpenData(RecipeFile recipe)
    {
        var d = recipe.Recipe.Data;
        string root = recipe.Resolve("data.root", d.Root);
        ISegmentationDataset Open(string split, string key)
        {
            try
            {
                return SupervisedDatasets.Open(d.Kind, root, split);
            }
            catch (Exception e) when (e is DatasetLayoutException or IOException)
            {
                throw recipe.ErrorAt(key, $"cannot open the {d.Kind.ToString().ToLowerInvariant()} data set's '{split}' split in {root}: {e.Message}");
            }
        }
        var train = Open(d.TrainSplit, "data.train_split");
        var val = Open(d.ValSplit, "data.val_split");
        if (!train.Classes.Select(c => c.Id).SequenceEqual(Enumerable.Range(0, train.Classes.Count).Select(i => (long)i)))
            throw recipe.ErrorAt("data.kind", $"training needs class ids 0..C-1; {train.Name} has {string.Join(", ", train.Classes.Select(c => c.Id))}");
        if (d.TrainLimit is { } tl) train = new DatasetSubset(train, Enumerable.Range(0, Math.Min(tl, train.Count)));
        if (d.ValLimit is { } vl) val = DatasetSubset.Spread(val, vl);
        return (train, val);
    }

    /// <summary>Mosaic on the raw samples, then random resized crop, flip, rotation, photometric distortion, cut-mix, normalisation.</summary>
    private static ISegmentationTransform TrainPipeline(TrainingRecipe r, ISegmentationDataset dataset, NormalizeOptions normalize)
    {
        var a = r.Augment;
        int h = r.Data.CropHeight, w = r.Data.CropWidth;
        var crop = new RandomResizedCrop(new RandomResizedCropOptions(h, w) { MinScale = a.MinScale, MaxScale = a.MaxScale });
        var flip = new RandomFlip(new RandomFlipOptions { HorizontalProbability = a.Flip });
        var steps = new List<ISegmentationTransform>();
        if (a.Mosaic > 0)
            steps.Add(new MixWithDrawnSamples(new Mosaic(new MosaicOptions(h / 2, w / 2) { Probability = a.Mosaic, MaskIgnore = dataset.IgnoreLabel }), random => dataset.Load(random.Next(dataset.Count))));
        steps.Add(crop);
        steps.Add(flip);
        if (a.Rotate > 0) steps.Add(new RandomRotate(new RandomRotateOptions { Probability = a.Rotate, MinDegrees = -a.RotateDegrees, MaxDegrees = a.RotateDegrees, MaskIgnore = dataset.IgnoreLabel }));
        if (a.Photometric > 0) steps.Add(new PhotometricDistortion(new PhotometricDistortionOptions { Probability = a.Photometric }));
        if (a.Cutmix > 0)
        {
            var partner = new Compose(crop, flip);
            steps.Add(new MixWithDrawnSamples(new CutMix(new CutMixOptions { Probability = a.Cutmix }), random =>
            {
                using var raw = dataset.Load(random.Next(dataset.Count));
                return partner.Apply(raw, random);
            }));
        }
        steps.Add(new Normalize(normalize));
        return new Compose([.. steps]);
    }

    private static Optimizer CreateOptimizer(OptimizerRecipe o, SegmentationNetwork network)
    {
        bool frozenBackbone = o.BackboneLrScale == 0;
        foreach (var (name, p) in network.NamedParameters())
        {
            if (name.StartsWith("backbone.", StringComparison.Ordinal) && frozenBackbone) p.RequiresGrad = false;
        }
        var groups = new List<ParameterGroup>();
        // The head's groups first: the logged learning rate (group 0's) is then the recipe's lr.
        foreach (bool backbone in new[] { false, true })
        {
            var named = network.NamedParameters().Where(p => p.Name.StartsWith("backbone.", StringComparison.Ordinal) == backbone);
            var split = o.NoDecayOnNormAndBias
                ? ParameterGroups.SplitWeightDecay(named, o.WeightDecay)
                : [new ParameterGroup([.. named.Where(p => p.Parameter.RequiresGrad).Select(p => p.Parameter)])];
            double? lr = backbone && o.BackboneLrScale != 1 ? o.Lr * o.BackboneLrScale : null;
            groups.AddRange(split.Where(g => g.Parameters.Count > 0).Select(g => g with { LearningRate = lr }));
        }
        return o.Kind switch
        {
            OptimizerKind.Sgd => new Sgd(groups, new SgdOptions { LearningRate = o.Lr, Momentum = o.Momentum, Nesterov = o.Nesterov, WeightDecay = o.WeightDecay }),
            OptimizerKind.Adam => new Adam(groups, new AdamOptions { LearningRate = o.Lr, WeightDecay = o.WeightDecay }),
            _ => new AdamW(groups, new AdamWOptions { LearningRate = o.Lr, WeightDecay = o.WeightDecay }),
        };
    }

    /// <summary>The trainer's options from a recipe's <c>trainer</c> section (no model metadata).</summary>
    public static TrainerOptions TrainerOptionsFor(TrainerRecipe t) => new()
    {
        Epochs = t.Epochs,
        Steps = t.Steps,
        AccumulationSteps = t.Accumulation,
        GradientClipNorm = t.ClipGradNorm,
        BFloat16Autocast = t.Bf16,
        Ema = t.EmaDecay is { } decay ? new EmaOptions { Decay = decay } : null,
        Seed = t.Seed,
        LogEvery = t.LogEvery,
        ValidateEvery = t.ValidateEvery,
        CheckpointEvery = t.CheckpointEvery,
        Monitor = new MonitorOptions(t.Monitor, MetricGoal.Maximize),
        EarlyStopping = t.EarlyStopping is { } es ? new EarlyStoppingOptions { Patience = es.Patience, MinDelta = es.MinDelta, MinSteps = es.MinSteps } : null,
    };

    /// <summary>The learning-rate schedule a recipe's <c>schedule</c> section describes, over <paramref name="totalSteps"/>.</summary>
    /// <param name="s">The section.</param>
    /// <param name="errorAt">Makes an error that points at a key's line.</param>
    /// <param name="optimizer">The optimizer it schedules.</param>
    /// <param name="totalSteps">Optimizer steps of the whole run.</param>
    public static LearningRateSchedule CreateSchedule(ScheduleRecipe s, Func<string, string, RecipeException> errorAt, Optimizer optimizer, long totalSteps)
    {
        long decaySteps = Math.Max(1, totalSteps - s.WarmupSteps);
        LearningRateSchedule schedule = s.Kind switch
        {
            ScheduleKind.Constant => new ConstantSchedule(optimizer),
            ScheduleKind.Poly => new PolynomialSchedule(optimizer, new PolynomialScheduleOptions { Steps = decaySteps, Power = s.Power, EndLearningRate = s.MinLr }),
            ScheduleKind.Cosine => new CosineAnnealingSchedule(optimizer, new CosineAnnealingScheduleOptions { Steps = decaySteps, MinLearningRate = s.MinLr }),
            ScheduleKind.MultiStep => new MultiStepSchedule(optimizer, new MultiStepScheduleOptions { Milestones = s.Milestones!, Gamma = s.Gamma }),
            ScheduleKind.OneCycle => new OneCycleSchedule(optimizer, new OneCycleScheduleOptions { MaxLearningRates = [.. optimizer.Groups.Select(g => g.LearningRate)], TotalSteps = totalSteps }),
            _ => new ReduceLrOnPlateau(optimizer, new ReduceLrOnPlateauOptions { Mode = PlateauMode.Max, Factor = s.Factor, Patience = s.Patience, Cooldown = s.Cooldown, MinLearningRates = [s.MinLr] }),
        };
        if (s.WarmupSteps > 0 && s.Kind == ScheduleKind.OneCycle) throw errorAt("schedule.warmup_steps", "one_cycle warms up by itself; leave warmup_steps at 0");
        return s.WarmupSteps > 0 ? new LinearWarmup(schedule, new LinearWarmupOptions { Steps = s.WarmupSteps, StartFactor = s.WarmupStartFactor }) : schedule;
    }

    private static void WriteSummary(string path, TrainingSummary summary, SegmentationZooModel model, int classes,
        ISegmentationDataset train, ISegmentationDataset val, SegmentationValidator validator)
    {
        var json = new JsonObject
        {
            ["model"] = model.Name,
            ["classes"] = classes,
            ["trained_on"] = train.Name,
            ["validated_on"] = val.Name,
            ["steps"] = summary.Steps,
            ["stopped_early"] = summary.StoppedEarly,
            ["best"] = ModelEvaluationResult.Finite(summary.BestValue),
            ["best_step"] = summary.BestStep,
            ["last_mIoU"] = ModelEvaluationResult.Finite(validator.LastScores?.MeanIoU),
            ["last_mDice"] = ModelEvaluationResult.Finite(validator.LastScores?.MeanDice),
        };
        File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
