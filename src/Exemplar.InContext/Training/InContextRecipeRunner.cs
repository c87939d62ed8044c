using System.Text.Json;
using System.Text.Json.Nodes;
using Exemplar.InContext.Evaluation;
using Exemplar.Models;
using Exemplar.Models.Zoo;
using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Exemplar.Training.Logging;
using Exemplar.Training.Optim;
using Exemplar.Training.Recipes;
using Exemplar.Training.Trainer;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Episodes;

namespace Exemplar.InContext.Training;

/// <summary>
/// Runs an <see cref="InContextRecipe"/>: loads and freezes the encoder, builds a <see cref="LearnedDecoder"/> for its
/// levels, draws episodes from the train sides of the recipe's data sets, validates on fixed episodes of the eval
/// sides, and trains with the shared <see cref="Trainer{TBatch}"/> (checkpoints, exact resume, log, curves). Every
/// checkpoint's <c>model.safetensors</c> is a <see cref="DecoderFile"/>. What <c>exemplar train --recipe</c> runs for
/// a recipe with an <c>episodes</c> section.
/// </summary>
public static class InContextRecipeRunner
{
    /// <summary>Whether the recipe file at <paramref name="path"/> is an in-context one (has an <c>episodes</c> section).</summary>
    /// <exception cref="RecipeException">The file is missing or not a YAML mapping.</exception>
    public static bool IsInContext(string path) => YamlRecipeMapper.Sections(path).Contains(InContextRecipe.EpisodesSection);

    /// <summary>
    /// Reads the recipe at <paramref name="path"/> and checks everything that needs no training: its keys, the encoder,
    /// weight file and data-set folders it names, the episode, optimisation and validation settings.
    /// </summary>
    /// <exception cref="RecipeException">Something the recipe names cannot be used (the message gives the line).</exception>
    public static InContextRecipe Check(string path, string? sharedFolder) => Read(path, sharedFolder).Recipe;

    private sealed record CheckedRecipe(InContextRecipe Recipe, YamlRecipeMapper Mapper, ZooModel Zoo, string Weights,
        List<EvaluationDataset> Train, List<EvaluationDataset> Validation, Func<string, string, string> Resolve);

    private static CheckedRecipe Read(string path, string? sharedFolder)
    {
        var (r, mapper) = YamlRecipeMapper.Read<InContextRecipe>(path);
        string Resolve(string key, string value) => RecipeFile.ResolvePath(path, sharedFolder, key, value, mapper.ErrorAt);
        var zoo = ModelZoo.Models.FirstOrDefault(m => string.Equals(m.Name, r.Model.Encoder, StringComparison.OrdinalIgnoreCase))
            ?? throw mapper.ErrorAt("model.encoder", $"unknown encoder '{r.Model.Encoder}'; the zoo has: {string.Join(", ", ModelZoo.Models.Select(m => m.Name))}");
        string weights = Resolve("model.weights", r.Model.Weights);
        if (!File.Exists(weights)) throw mapper.ErrorAt("model.weights", $"no such weight file: {weights}");
        if (r.Model.Width < 8 || r.Model.Width % 8 != 0) throw mapper.ErrorAt("model.width", $"must be a positive multiple of 8, got {r.Model.Width}");
        if (r.Model.PresenceOnly && (!r.Model.Presence || r.Model.DecoderWeights is null))
            throw mapper.ErrorAt("model.presence_only", "trains the presence head of a decoder that model.decoder_weights starts from: set model.presence: true and model.decoder_weights");
        if (r.Model.PresenceOnly && r.Model.Prior)
            throw mapper.ErrorAt("model.presence_only", "trains the presence head alone, so a propagation decoder's prior projection (model.prior) would never train: drop one of them");
        if (r.Model.RefinementOnly && (r.Model.FineLevel is null || r.Model.DecoderWeights is null || r.Model.PresenceOnly || r.Model.Prior))
            throw mapper.ErrorAt("model.refinement_only", "trains the refinement alone on a decoder that model.decoder_weights starts from: set model.fine_level and model.decoder_weights (and neither presence_only nor prior, whose parts would never train)");
        try
        {
            r.Episodes.Validate();
        }
        catch (ArgumentException e)
        {
            throw mapper.ErrorAt("episodes", e.Message);
        }
        RecipeFile.CheckOptimization(r.Optimizer, r.Schedule, r.Trainer, mapper.ErrorAt);
        if (r.Trainer.Monitor != "mIoU" && !r.Trainer.Monitor.StartsWith("mIoU.", StringComparison.Ordinal))
            throw mapper.ErrorAt("trainer.monitor", $"'{r.Trainer.Monitor}' is not an in-context validation metric: mIoU (the mean over the validation data sets) or mIoU.<kind>");
        var trainSpecs = Specs(r.Episodes.Sources, "episodes.sources", Resolve, mapper);
        if (trainSpecs.Count == 0) throw mapper.ErrorAt("episodes.sources", "name at least one KIND:PATH data set to draw episodes from");
        if (r.Episodes.HeldOutFold is { } fold)
        {
            if (fold is < 0 or >= Coco20iEpisodes.FoldCount) throw mapper.ErrorAt("episodes.held_out_fold", $"COCO-20i has folds 0 to {Coco20iEpisodes.FoldCount - 1}, got {fold}");
            if (!trainSpecs.Any(s => s.Kind == DatasetKind.CocoMini)) throw mapper.ErrorAt("episodes.held_out_fold", "no coco-mini source to hold a fold out of");
        }
        var valSpecs = Specs(r.Validation.Sources, "validation.sources", Resolve, mapper);
        if (r.Model.Prior && valSpecs.Count > 0)
            throw mapper.ErrorAt("validation.sources", "a propagation decoder (model.prior) needs the previous frame's masks, which validation episodes do not have: leave validation out and score it with exemplar eval --video");
        if (r.Validation.Episodes < 1 || r.Validation.Shots < 1) throw mapper.ErrorAt("validation", "episodes and shots must be at least 1");
        return new CheckedRecipe(r, mapper, zoo, weights, trainSpecs, valSpecs, Resolve);
    }

    /// <summary>Trains as the recipe at <paramref name="path"/> says.</summary>
    /// <param name="path">The recipe.</param>
    /// <param name="sharedFolder">What <c>$shared/</c> stands for, or null.</param>
    /// <param name="options">The run folder, resume point and extra callbacks (one process only).</param>
    /// <param name="cancellation">Stops the run between steps.</param>
    /// <exception cref="RecipeException">Something the recipe names cannot be used (the message gives the line).</exception>
    /// <exception cref="IOException">The run folder holds another run and this is not a resume of it.</exception>
    public static TrainingSummary Run(string path, string? sharedFolder, TrainingRunOptions options, CancellationToken cancellation = default)
    {
        var (r, mapper, zoo, weights, trainSpecs, valSpecs, resolve) = Read(path, sharedFolder);
        if (options.Group is { WorldSize: > 1 }) throw mapper.ErrorAt("trainer", "in-context decoders train in one process (drop --nproc)");
        EpisodeSamplingOptions sampling = r.Episodes;

        string output = Path.GetFullPath(options.OutputDirectory);
        RecipeRunner.CheckOutput(output, options.ResumeFrom);
        Directory.CreateDirectory(output);
        string copy = Path.Combine(output, "recipe.yaml");
        if (!string.Equals(Path.GetFullPath(path), copy, StringComparison.Ordinal)) File.Copy(path, copy, overwrite: true);

        using var encoder = zoo.Load(weights);
        ((Module)encoder).Freeze();
        ((Module)encoder).Eval();
        var segmenterOptions = SegmenterOptions.For(encoder);
        if (r.Model.InputSize is { } size) segmenterOptions = segmenterOptions with { InputSize = size };
        try
        {
            segmenterOptions.Validate(encoder);
        }
        catch (ArgumentException e)
        {
            throw mapper.ErrorAt("model.input_size", e.Message);
        }
        IReadOnlyList<long> channels;
        FineLevel? fine;
        try
        {
            (channels, fine) = Channels(encoder, segmenterOptions, r.Model.FineLevel);
        }
        catch (ArgumentException e)
        {
            throw mapper.ErrorAt("model.fine_level", e.Message);
        }
        LibTorch.ManualSeed(r.Trainer.Seed); // the decoder's random initialisation
        using var decoder = new LearnedDecoder(channels, r.Model.Width, r.Model.Presence, r.Model.Prior, fine);
        if (r.Model.DecoderWeights is { } start)
        {
            string startPath = resolve("model.decoder_weights", start);
            try
            {
                var startInfo = DecoderFile.ReadInfo(startPath);
                DecoderFile.CheckFits(startPath, startInfo, zoo.Name, segmenterOptions.Levels);
                if (startInfo.Width != r.Model.Width) throw new ArgumentException($"{startPath} has width {startInfo.Width}, the recipe {r.Model.Width}");
                if (startInfo.Presence && !r.Model.Presence) throw new ArgumentException($"{startPath} has a presence head and the recipe's decoder none: set model.presence: true");
                if (startInfo.Prior && !r.Model.Prior) throw new ArgumentException($"{startPath} reads a mask prior and the recipe's decoder none: set model.prior: true");
                if (startInfo.FineLevel is { } startFine && startFine != r.Model.FineLevel) throw new ArgumentException($"{startPath} refines at level {startFine}: set model.fine_level: {startFine}");
                var added = new List<string>();
                if (r.Model.Presence && !startInfo.Presence) added.Add(LearnedDecoder.PresencePrefix);
                if (r.Model.Prior && !startInfo.Prior) added.Add(LearnedDecoder.PriorPrefix);
                if (fine is not null && startInfo.FineLevel is null) added.Add(LearnedDecoder.RefinementPrefix);
                LoadStart(decoder, startPath, added, $"an in-context decoder for {zoo.Name}");
            }
            catch (Exception e) when (e is ArgumentException or IOException or Torch.Serialization.CheckpointFormatException)
            {
                throw mapper.ErrorAt("model.decoder_weights", e.Message);
            }
        }
        if (r.Model.PresenceOnly)
        {
            decoder.Freeze();
            decoder.PresenceHead!.Unfreeze();
        }
        if (r.Model.RefinementOnly)
        {
            decoder.Freeze();
            decoder.Refinement!.Unfreeze();
        }
        var segmenter = new Segmenter(encoder, zoo.Name, segmenterOptions, decoder);

        var sources = trainSpecs.Select(s => Open(() => EpisodeSource.Open(s, r.Episodes.HeldOutFold), "episodes.sources", s, mapper)).ToList();
        Console.Error.WriteLine($"encoding {sampling.Views} training views from {string.Join(", ", sources.Select(s => s.Name))}");
        using var data = new EpisodeTrainingData(sources, encoder, segmenter.EncodingLevels, segmenterOptions.InputSize, sampling, r.Trainer.Seed,
            (done, total) => { if (done % 200 < 8 || done == total) Console.Error.WriteLine($"  {done}/{total} views encoded"); }, priors: r.Model.Prior);
        var validator = valSpecs.Count == 0 ? null : Open(() => new EpisodeValidator(segmenter, valSpecs, r.Validation.Episodes, r.Validation.Shots), "validation.sources", valSpecs[0], mapper);
        var info = new DecoderInfo(zoo.Name, [.. segmenterOptions.Levels], channels, r.Model.Width, segmenterOptions.InputSize,
            string.Join(", ", sources.Select(s => s.Name)), Path.GetFileName(path), 0, r.Model.Presence, r.Model.Prior, fine?.Level, fine?.Channels);

        Trainer<EpisodeBatch>? trainer = null;
        var trainerOptions = RecipeRunner.TrainerOptionsFor(r.Trainer) with
        {
            ModelMetadata = () => DecoderFile.Metadata(info with { Steps = trainer?.Step ?? 0 }),
        };
        long totalSteps = Trainer<EpisodeBatch>.CountSteps(data.BatchesPerEpoch, trainerOptions).TotalSteps;
        using var optimizer = new AdamW(
            [.. ParameterGroups.SplitWeightDecay(decoder.NamedParameters(), r.Optimizer.WeightDecay).Where(g => g.Parameters.Count > 0)],
            new AdamWOptions { LearningRate = r.Optimizer.Lr, WeightDecay = r.Optimizer.WeightDecay });
        var schedule = RecipeRunner.CreateSchedule(r.Schedule, mapper.ErrorAt, optimizer, totalSteps);
        string logPath = Path.Combine(output, RecipeRunner.LogFile);
        ITrainerCallback[] callbacks = [new JsonlLog(logPath), new TrainingCurves(Path.Combine(output, "curves"), logPath), .. options.Callbacks];
        trainer = new Trainer<EpisodeBatch>(decoder, optimizer, schedule, data, new EpisodeObjective(segmenter, r.Loss.Bce, r.Loss.Dice, r.Loss.Presence),
            validator, trainerOptions, output, callbacks);
        using (trainer)
        {
            if (options.ResumeFrom is { } resume) trainer.Resume(resume);
            var summary = trainer.Run(cancellation);
            var json = new JsonObject
            {
                ["encoder"] = zoo.Name,
                ["trained_on"] = info.TrainedOn,
                ["validated_on"] = string.Join(", ", valSpecs.Select(v => v.KindName)),
                ["steps"] = summary.Steps,
                ["stopped_early"] = summary.StoppedEarly,
                ["best"] = summary.BestValue is { } b && double.IsFinite(b) ? b : null,
                ["best_step"] = summary.BestStep,
            };
            File.WriteAllText(Path.Combine(output, "summary.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return summary;
        }
    }

    /// <summary>
    /// Loads a start decoder file strictly, but for the parts the recipe adds to it (<paramref name="added"/>: the
    /// state-dict prefixes of a fresh presence head or prior projection), which keep their initial weights.
    /// </summary>
    private static void LoadStart(LearnedDecoder decoder, string path, IReadOnlyList<string> added, string what)
    {
        if (added.Count == 0)
        {
            Torch.Serialization.Checkpoints.LoadInto(decoder, path, what);
            return;
        }
        var state = Torch.Serialization.Checkpoints.LoadStateDict(path);
        try
        {
            var result = decoder.LoadStateDict(state, strict: false);
            if (result.Unexpected.Count > 0 || result.ShapeMismatches.Count > 0 || result.Missing.Any(k => !added.Any(p => k.StartsWith(p + ".", StringComparison.Ordinal))))
                throw new Torch.Serialization.CheckpointFormatException(path, $"its weights do not fit {what}:{Environment.NewLine}{result}");
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    /// <summary>Channels of each level the segmenter matches (one forward pass on a blank image).</summary>
    public static IReadOnlyList<long> LevelChannels(IImageEncoder encoder, SegmenterOptions options) => Channels(encoder, options, null).Levels;

    /// <summary>
    /// Channels of each level the segmenter matches and, with <paramref name="fineLevel"/>, the fine level (one forward
    /// pass on a blank image).
    /// </summary>
    /// <exception cref="ArgumentException">The fine level is no finer than the matched levels.</exception>
    public static (IReadOnlyList<long> Levels, FineLevel? Fine) Channels(IImageEncoder encoder, SegmenterOptions options, int? fineLevel)
    {
        using var noGrad = LibTorch.NoGrad();
        using var scope = DisposeScope.Begin();
        var blank = Tensor.Zeros([1, 3, options.InputSize, options.InputSize]);
        var maps = encoder.ForwardIntermediates(blank, fineLevel is { } f ? [.. options.Levels, f] : options.Levels);
        var levels = maps.Take(options.Levels.Count).ToList();
        if (fineLevel is null) return ([.. levels.Select(m => m.Features.Size(1))], null);
        var fine = maps[^1];
        int finest = levels.Min(m => m.Stride);
        if (fine.Stride >= finest) throw new ArgumentException($"level {fineLevel} has stride {fine.Stride}: a fine level must be finer than the matched levels (stride {finest})");
        return ([.. levels.Select(m => m.Features.Size(1))], new FineLevel(fineLevel.Value, fine.Features.Size(1)));
    }

    private static List<EvaluationDataset> Specs(IReadOnlyList<string> texts, string key, Func<string, string, string> resolve, YamlRecipeMapper mapper)
    {
        var specs = new List<EvaluationDataset>();
        foreach (string text in texts)
        {
            EvaluationDataset spec;
            try
            {
                spec = EvaluationDataset.Parse(text);
            }
            catch (ArgumentException e)
            {
                throw mapper.ErrorAt(key, e.Message);
            }
            spec = spec with { Root = resolve(key, spec.Root) };
            if (!Directory.Exists(spec.Root)) throw mapper.ErrorAt(key, $"no such data set folder: {spec.Root}");
            specs.Add(spec);
        }
        return specs;
    }

    private static T Open<T>(Func<T> open, string key, EvaluationDataset spec, YamlRecipeMapper mapper)
    {
        try
        {
            return open();
        }
        catch (Exception e) when (e is ArgumentException or IOException or DatasetLayoutException or InvalidOperationException)
        {
            throw mapper.ErrorAt(key, $"cannot open {spec.KindName} at {spec.Root}: {e.Message}");
        }
    }
}
