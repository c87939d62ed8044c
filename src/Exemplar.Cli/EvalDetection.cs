using System.CommandLine;
using System.Text.Json;
using Exemplar.InContext;
using Exemplar.InContext.Evaluation;
using Exemplar.Torch.IO;
using Exemplar.Vision.Datasets;
using Spectre.Console;

namespace Exemplar.Cli;

/// <summary>
/// <c>exemplar eval --detection</c>: few-shot box AP50 on COCO-style instance data (<see cref="DetectionEvaluator"/>):
/// per category K example instances from the train split, the val split's images as targets.
/// </summary>
internal sealed class EvalDetection
{
    /// <summary>K when <c>--shots</c> is not given: detection is scored with a few examples, not one.</summary>
    public const int DefaultShots = 5;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private readonly Option<bool> _flag = new("--detection")
    {
        Description = $"Few-shot detection: box AP50 (COCO) on --dataset coco-mini:PATH, K instances per category from train2017 (--shots, default {DefaultShots}), val2017 images as targets.",
    };

    private readonly Option<string> _negatives = new("--negatives")
    {
        Description = "With --detection: images without the category segmented per image with it (default 1), or 'all' (COCO's protocol, slowest).",
        DefaultValueFactory = _ => "1",
    };

    private readonly Option<int?> _images = new("--images") { Description = "With --detection: at most this many target images with each category (seeded draw; quick runs)." };

    private readonly Option<int?> _categories = new("--categories") { Description = "With --detection: at most this many categories, spread over the list (quick runs)." };

    private readonly Option<double?> _threshold = new("--detection-threshold")
    {
        Description = "With --detection: take objects where the category's probability is above this (default: the segmenter's own label map, probability above 0.5).",
    };

    private readonly Option<int> _minArea = new("--min-object-area")
    {
        Description = "With --detection: connected regions smaller than this many pixels are not detections.",
        DefaultValueFactory = _ => new ObjectDetectionOptions().MinArea,
    };

    /// <summary>Adds the options to <c>eval</c>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_flag);
        command.Options.Add(_negatives);
        command.Options.Add(_images);
        command.Options.Add(_categories);
        command.Options.Add(_threshold);
        command.Options.Add(_minArea);
    }

    /// <summary>
    /// Whether <c>--detection</c> was given; without it, a detection-only option is an error (it would be ignored).
    /// </summary>
    public bool Requested(ParseResult result)
    {
        if (result.GetValue(_flag)) return true;
        GivenOptions.Refuse(result, "is an option of --detection", _negatives, _images, _categories, _threshold, _minArea);
        return false;
    }

    /// <summary>Runs every segmenter through the protocol, prints AP50 and the per-category table, writes <paramref name="jsonFile"/>.</summary>
    public int Run(ParseResult result, string? datasetSpec, Option<int> shots, uint seed, IReadOnlyList<IExampleSegmenter> segmenters, FileInfo? jsonFile, bool overwrite)
    {
        var target = EvaluationDataset.Parse(datasetSpec ?? throw new ArgumentException("--detection needs --dataset coco-mini:PATH"));
        if (target.Kind != DatasetKind.CocoMini) throw new ArgumentException($"--detection scores instance data: --dataset coco-mini:PATH (COCO layout with train2017 and val2017), not {target.KindName}");
        var protocol = new DetectionProtocol
        {
            Shots = result.GetResult(shots) is { Implicit: false } ? result.GetValue(shots) : DefaultShots,
            Seed = seed,
            NegativesPerPositive = Negatives(result.GetValue(_negatives)!),
            MaxPositives = result.GetValue(_images),
            MaxCategories = result.GetValue(_categories),
            Threshold = result.GetValue(_threshold),
            Objects = new ObjectDetectionOptions { MinArea = result.GetValue(_minArea) },
        };
        var examples = new CocoInstancesDataset(target.Root, CocoOptions.ForSplit("train2017"));
        var targets = new CocoInstancesDataset(target.Root, CocoOptions.ForSplit("val2017"));
        var evaluations = new List<DetectionEvaluationResult>();
        foreach (var segmenter in segmenters)
        {
            var evaluation = Terminal.Progress(100, $"{target.KindName} detection {protocol.Shots}-shot, {segmenter.Name} (percent of segmentations)",
                done => DetectionEvaluator.Run(segmenter, target.KindName, examples, targets, protocol, (count, total) => done((int)(100L * count / total))));
            Print(evaluation);
            evaluations.Add(evaluation);
        }
        if (jsonFile is not null)
        {
            AtomicFile.WriteAllText(jsonFile.FullName, evaluations.Count == 1 ? JsonSerializer.Serialize(evaluations[0], Json) : JsonSerializer.Serialize(evaluations, Json), overwrite);
        }
        return 0;
    }

    private static int? Negatives(string text)
    {
        if (text.Equals("all", StringComparison.OrdinalIgnoreCase)) return null;
        return int.TryParse(text, out int n) && n >= 0 ? n : throw new ArgumentException($"--negatives takes a number 0 or more, or 'all', not '{text}'");
    }

    private static void Print(DetectionEvaluationResult r)
    {
        var console = Terminal.Output();
        console.MarkupLine($"[bold]{Markup.Escape(r.Dataset)}[/] detection {r.Shots}-shot, {Markup.Escape(r.Segmenter)}: box AP50 {r.Ap50:F1}");
        console.MarkupLine($"{r.Categories.Count} categories, {r.Segmentations} segmentations, {r.Seconds:F0} s");
        var table = new Table().AddColumns("category", "AP50", "shots", "images +/-", "objects", "detections", "matched");
        foreach (var c in r.Categories.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            table.AddRow(Markup.Escape(c.Name), $"{c.Ap50:F1}", c.Shots.ToString(), $"{c.Positives}/{c.Negatives}", c.GroundTruth.ToString(), c.Detections.ToString(), c.TruePositives.ToString());
        }
        console.Write(table);
        foreach (var s in r.Skipped) Console.WriteLine($"skipped {s.Name}: {s.Reason}");
    }
}
