using System.CommandLine;
using System.Text.Json;
using Exemplar.InContext;
using Exemplar.InContext.Evaluation;
using Exemplar.InContext.Tuning;
using Exemplar.Torch.IO;
using Spectre.Console;

namespace Exemplar.Cli;

/// <summary>
/// <c>exemplar eval</c>: few-shot segmentation scores on a data set, or on the whole shared suite; with <c>--model
/// FILE</c> (a supervised model file), that model's scores on a labelled data set (<see cref="ModelEval"/>).
/// </summary>
internal static class EvalCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    internal static Command Create()
    {
        var inputs = new CliInputs();
        var dataset = new Option<string?>("--dataset") { Description = "KIND:PATH, KIND one of fss1000, coco20i, pascal5i, lvis92i, coco-mini, ccp, camvid, magnetic-tile, davis2016, perseg, drive, isbi2012." };
        var suite = new Option<string?>("--suite") { Description = "'shared': every data set of the shared folder, 1-shot and 5-shot." };
        var shots = new Option<int>("--shots") { Description = "Examples per episode (K).", DefaultValueFactory = _ => 1 };
        var episodes = new Option<int?>("--episodes") { Description = "At most this many episodes (per data set and shot count for --suite; default: the protocol's, 50 for --suite)." };
        var seed = new Option<uint>("--seed") { Description = "Episode sampling seed.", DefaultValueFactory = _ => 0 };
        var fold = new Option<int>("--fold") { Description = "Fold (COCO-20i, PASCAL-5i, LVIS-92i, coco-mini)." };
        var baseline = new Option<bool>("--baseline") { Description = "Also run the colour-histogram baseline." };
        var json = new Option<FileInfo?>("--json") { Description = "Write the results as JSON." };
        var report = new Option<DirectoryInfo?>("--report") { Description = "Save grids of the best and worst episodes here; with --model FILE, confusion_matrix.png and scores.json." };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing --json file or report pictures." };
        var split = new Option<string?>("--split") { Description = "With --model FILE: the split to score (default val; test where the data set has one)." };
        var tune = new Option<bool>("--tune") { Description = "--engine torch: also score with each episode's prompt tuned on its own examples first (in-context tuning, leave-one-out); with --video, track from each first frame tuned on itself (--weights and --decoder of the bundle's encoder and decoder)." };
        var tuneSteps = new Option<int>("--tune-steps") { Description = "With --tune: optimizer steps per episode (0: only the logit offsets).", DefaultValueFactory = _ => new PromptTuningOptions().Steps };
        var tuneRate = new Option<double>("--tune-lr") { Description = "With --tune: the learning rate.", DefaultValueFactory = _ => new PromptTuningOptions().LearningRate };
        var tuneFlip = new Option<bool>("--tune-flip") { Description = "With --tune: also tune on each example mirrored (twice the targets and the time)." };
        var tuneOffset = new Option<double>("--tune-max-offset") { Description = "With --tune: the widest per-class logit offset tried, before the feature steps (0: none).", DefaultValueFactory = _ => new PromptTuningOptions().MaxLogitOffset };
        var command = new Command("eval", "Score segmentation by example on few-shot episodes (mIoU, FB-IoU, per class), video tracking (--video: DAVIS J&F) or few-shot detection (--detection: box AP50).")
        {
            dataset, suite, shots, episodes, seed, fold, baseline, json, report, force, split, tune, tuneSteps, tuneRate, tuneFlip, tuneOffset,
        };
        inputs.AddModelOptions(command);
        inputs.Model.Description = "Encoder from the model zoo (exemplar models) for few-shot episodes, or a supervised model file (.safetensors " +
                                   $"from exemplar train) to score on --dataset KIND:PATH with KIND one of {string.Join(", ", SupervisedData.Kinds)}.";
        var engine = new EngineOptions();
        engine.AddTo(command);
        var video = new EvalVideo();
        video.AddTo(command);
        var detection = new EvalDetection();
        detection.AddTo(command);
        command.SetAction(result =>
        {
            bool detect = detection.Requested(result);
            if (detect && result.GetValue(video.Video)) throw new ArgumentException("give either --video or --detection, not both");
            if (!result.GetValue(tune)) GivenOptions.Refuse(result, "is for --tune", tuneSteps, tuneRate, tuneFlip, tuneOffset);
            var tuning = result.GetValue(tune) ? new PromptTuningOptions { Steps = result.GetValue(tuneSteps), LearningRate = result.GetValue(tuneRate), Flip = result.GetValue(tuneFlip), MaxLogitOffset = result.GetValue(tuneOffset) } : null;
            if (result.GetValue(video.Video))
            {
                GivenOptions.Refuse(result, "is for few-shot episodes; --video tracks every sequence from its first frame's mask", suite, shots, episodes, seed, fold, baseline, report, split);
                return video.Run(result, result.GetValue(dataset), result.GetValue(json), result.GetValue(force), engine, inputs, tuning);
            }
            video.RefuseWithoutVideo(result);
            if (ModelEval.IsModelFile(result.GetValue(inputs.Model)!))
            {
                if (detect) throw new ArgumentException("--detection scores few-shot encoders; a model file takes --dataset KIND:PATH without it");
                if (result.GetValue(suite) is not null) throw new ArgumentException("--suite scores few-shot encoders; a model file takes --dataset KIND:PATH");
                return ModelEval.Run(new ModelEvalRequest(result.GetValue(inputs.Model)!,
                    result.GetValue(dataset) ?? throw new ArgumentException($"--model FILE needs --dataset KIND:PATH, KIND one of {string.Join(", ", SupervisedData.Kinds)}"),
                    result.GetValue(split), result.GetValue(json)?.FullName, result.GetValue(report)?.FullName, result.GetValue(force)));
            }
            if (result.GetValue(split) is not null) throw new ArgumentException("--split is for --model FILE (a supervised model); few-shot episodes come from the data set's protocol");
            if (detect) GivenOptions.Refuse(result, "is for few-shot episodes; --detection takes --images and --categories", suite, episodes, fold, report);
            var engineKind = engine.Resolve(result, inputs);
            var jsonFile = result.GetValue(json);
            bool overwrite = result.GetValue(force);
            if (jsonFile is not null && AtomicFile.Exists(jsonFile.FullName) && !overwrite) throw new IOException($"{jsonFile.FullName} exists; pass --force to overwrite it");
            if (result.GetValue(tune) && engineKind != EngineKind.Torch) throw new ArgumentException("--tune needs --engine torch (--weights): tuning follows gradients through Exemplar.Torch");
            var segmenters = Segmenters(inputs, engine, engineKind, result, result.GetValue(baseline), tuning);
            try
            {
                if (detect) return detection.Run(result, result.GetValue(dataset), shots, result.GetValue(seed), [.. segmenters.Select(s => s.Segmenter)], jsonFile, overwrite);
                if (result.GetValue(suite) is { } name)
                {
                    if (result.GetValue(dataset) is not null) throw new ArgumentException("give either --suite or --dataset, not both");
                    if (name != "shared") throw new ArgumentException($"unknown suite '{name}' (only 'shared')");
                    string root = SharedData.Root();
                    var suiteResult = EvaluationSuite.RunShared(root, segmenters.Select(s => s.Segmenter).ToList(), result.GetValue(episodes) ?? 50,
                        Terminal.Note);
                    PrintSuite(suiteResult);
                    if (jsonFile is not null) AtomicFile.WriteAllText(jsonFile.FullName, JsonSerializer.Serialize(suiteResult, Json), overwrite);
                    return 0;
                }
                var target = EvaluationDataset.Parse(result.GetValue(dataset) ?? throw new ArgumentException("give --dataset KIND:PATH or --suite shared"));
                var (data, list) = target.Open(new EpisodeOptions(result.GetValue(shots), result.GetValue(episodes), result.GetValue(seed), result.GetValue(fold)));
                var results = new List<EvaluationResult>();
                foreach (var (segmenter, _) in segmenters)
                {
                    string? folder = result.GetValue(report) is { } r ? Path.Combine(r.FullName, segmenter.Name) : null;
                    var evaluation = Terminal.Progress(list.Episodes.Count, $"{target.KindName} {list.Shots}-shot, {segmenter.Name}",
                        done => Evaluator.Run(segmenter, target.KindName, data, list, (count, _) => done(count), folder, overwrite));
                    Print(evaluation);
                    results.Add(evaluation);
                }
                if (jsonFile is not null)
                {
                    AtomicFile.WriteAllText(jsonFile.FullName, results.Count == 1 ? JsonSerializer.Serialize(results[0], Json) : JsonSerializer.Serialize(results, Json), overwrite);
                }
                return 0;
            }
            finally
            {
                foreach (var (_, encoder) in segmenters) encoder?.Dispose();
            }
        });
        return command;
    }

    private static List<(IExampleSegmenter Segmenter, IDisposable? Encoder)> Segmenters(CliInputs inputs, EngineOptions engine, EngineKind kind, ParseResult result, bool baseline,
        PromptTuningOptions? tuning)
    {
        var list = new List<(IExampleSegmenter, IDisposable?)>();
        if (baseline) list.Add((new ColorHistogramSegmenter(), null));
        if (kind == EngineKind.Torch)
        {
            var zoo = inputs.LoadSegmenter(result);
            list.Add((new FeatureExampleSegmenter(zoo.Segmenter), zoo));
            if (tuning is not null) list.Add((new TunedExampleSegmenter(zoo.Segmenter, tuning), null));
        }
        else
        {
            var model = engine.LoadModel(result, Exemplar.Torch.LibTorch.Threads);
            list.Add((new RuntimeExampleSegmenter(model, engine.SegmentOptions(result, null)), model));
        }
        return list;
    }

    private static void Print(EvaluationResult r)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(r.Dataset)}[/] {r.Shots}-shot, {r.Episodes} episodes, {Markup.Escape(r.Segmenter)}: " +
                               $"mIoU {r.MeanIoU:F1}, FB-IoU {r.FbIoU:F1}, {r.MsPerEpisode:F0} ms/episode ({1000 / r.MsPerEpisode:F2} episodes/s)");
        var table = new Table().AddColumns("class", "IoU");
        foreach (var (name, iou) in r.PerClass.OrderBy(kv => kv.Key, StringComparer.Ordinal)) table.AddRow(Markup.Escape(name), $"{iou:F1}");
        AnsiConsole.Write(table);
    }

    private static void PrintSuite(SuiteResult suite)
    {
        var table = new Table().AddColumns("data set", "shots", "segmenter", "episodes", "mIoU", "FB-IoU", "ms/episode");
        foreach (var r in suite.Results)
        {
            table.AddRow(Markup.Escape(r.Dataset), r.Shots.ToString(), Markup.Escape(r.Segmenter), r.Episodes.ToString(), $"{r.MeanIoU:F1}", $"{r.FbIoU:F1}", $"{r.MsPerEpisode:F0}");
        }
        AnsiConsole.Write(table);
        foreach (var s in suite.Skipped) Console.WriteLine($"skipped {s.Dataset} {s.Shots}-shot: {s.Reason}");
    }
}
