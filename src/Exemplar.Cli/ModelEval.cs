using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Exemplar.Models.Segmentation;
using Exemplar.Runtime;
using Exemplar.Torch.IO;
using Exemplar.Training.Segmentation;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.IO;
using Exemplar.Vision.Metrics;
using Exemplar.Vision.Visualization;
using Spectre.Console;

namespace Exemplar.Cli;

/// <summary>What <c>exemplar eval --model FILE</c> was asked for.</summary>
/// <param name="ModelFile">The supervised model file, or a supervised bundle (.exemplar) run by Exemplar.Runtime.</param>
/// <param name="Dataset">KIND:PATH.</param>
/// <param name="Split">The split, or null for the validation split.</param>
/// <param name="Json">Where to write the scores, or null.</param>
/// <param name="Report">A folder for the confusion-matrix picture and the scores, or null.</param>
/// <param name="Force">Overwrite existing outputs.</param>
internal sealed record ModelEvalRequest(string ModelFile, string Dataset, string? Split, string? Json, string? Report, bool Force);

/// <summary><c>exemplar eval --model FILE</c>: a supervised model file's (or bundle's) scores on a labelled data set.</summary>
internal static class ModelEval
{
    /// <summary>The report's confusion-matrix picture.</summary>
    public const string MatrixPicture = "confusion_matrix.png";

    /// <summary>The report's scores.</summary>
    public const string ScoresFile = "scores.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// Whether <c>--model</c> names a model file (or a supervised bundle) rather than an encoder of the in-context zoo:
    /// an existing file, or a .safetensors or .exemplar path (so that a missing file is reported as such).
    /// </summary>
    public static bool IsModelFile(string model) =>
        File.Exists(model) || model.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) || IsBundle(model);

    /// <summary>Evaluates, prints the scores, writes --json and --report; returns the exit code.</summary>
    public static int Run(ModelEvalRequest request)
    {
        // Refuse before the (long) evaluation, not after it.
        var outputs = new List<string>();
        if (request.Json is { } j) outputs.Add(Path.GetFullPath(j));
        if (request.Report is { } r) outputs.AddRange([Path.Combine(Path.GetFullPath(r), MatrixPicture), Path.Combine(Path.GetFullPath(r), ScoresFile)]);
        if (!request.Force && outputs.FirstOrDefault(AtomicFile.Exists) is { } existing) throw new IOException($"{existing} exists; pass --force to overwrite it");

        var dataset = SupervisedData.Open(request.Dataset, request.Split);
        var result = IsBundle(request.ModelFile) ? EvaluateBundle(Path.GetFullPath(request.ModelFile), dataset) : EvaluateModelFile(Path.GetFullPath(request.ModelFile), dataset);
        Print(result);
        var json = result.ToJson();
        json["model_file"] = Path.GetFullPath(request.ModelFile);
        json["data_root"] = dataset.Root;
        string text = json.ToJsonString(Indented);
        if (request.Json is { } jsonFile) AtomicFile.WriteAllText(Path.GetFullPath(jsonFile), text, request.Force);
        if (request.Report is { } report)
        {
            string folder = Path.GetFullPath(report);
            Directory.CreateDirectory(folder);
            string title = $"{result.Dataset}: rows true class, columns predicted, % of row";
            using var picture = ConfusionMatrixPicture.Draw(result.ConfusionMatrix, result.Classes, title);
            ImageWriter.WritePng(Path.Combine(folder, MatrixPicture), picture, request.Force);
            AtomicFile.WriteAllText(Path.Combine(folder, ScoresFile), text, request.Force);
            Terminal.Note($"report: {folder}");
        }
        return 0;
    }

    /// <summary>Whether <paramref name="path"/> names an Exemplar.Runtime bundle rather than a model file.</summary>
    public static bool IsBundle(string path) => path.EndsWith(".exemplar", StringComparison.OrdinalIgnoreCase);

    private static ModelEvaluationResult EvaluateModelFile(string path, ISegmentationDataset dataset)
    {
        var (network, info) = SegmentationModelFile.Load(path);
        using (network) return Terminal.Progress(dataset.Count, $"{dataset.Name}, {info.Model}", _ => ModelEvaluation.Run(network, info, dataset));
    }

    /// <summary>
    /// A supervised bundle in Exemplar.Runtime (what a deployment runs, int8 included) on every image at its own size,
    /// scored with the same running confusion matrix as a model file.
    /// </summary>
    private static ModelEvaluationResult EvaluateBundle(string path, ISegmentationDataset dataset)
    {
        using var model = ExemplarModel.Load(path, new RuntimeOptions { Threads = Exemplar.Torch.LibTorch.Threads });
        var info = model.Info;
        if (!info.IsSupervised) throw new ArgumentException($"{path} segments by example: score it with --bundle and --dataset (few-shot episodes), not --model");
        var ids = dataset.Classes.Select(c => c.Id).ToArray();
        if (ids.Length != info.Classes!.Length || !ids.SequenceEqual(Enumerable.Range(0, ids.Length).Select(i => (long)i)))
        {
            throw new ArgumentException($"{dataset.Root}: {dataset.Name} has {ids.Length} classes (ids {string.Join(", ", ids.Take(20))}) but {Path.GetFileName(path)} predicts {info.Classes.Length} ({string.Join(", ", info.Classes.Take(20))})");
        }
        string name = $"{info.Encoder}-{info.Precision}-onnx";
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var evaluator = new SegmentationEvaluator(info.Classes.Length, dataset.IgnoreLabel);
        Terminal.Progress(dataset.Count, $"{dataset.Name}, {name}", done =>
        {
            for (int i = 0; i < dataset.Count; i++)
            {
                using var sample = dataset.Load(i);
                var result = model.Segment(RuntimeExampleSegmenter.Pixels(sample.Image, sample.Metadata?.SourceId ?? $"item {i}"));
                // Label i + 1 is class i: every pixel of a supervised result has one.
                var predicted = result.Labels.Select(l => (long)l - 1).ToArray();
                using var truth = sample.Mask.To(Exemplar.Torch.DType.Int64).Contiguous();
                evaluator.Update(predicted, truth.ToArray<long>());
                done(i + 1);
            }
            return 0;
        });
        return new ModelEvaluationResult(name, dataset.Name, dataset.Count, info.Classes, evaluator.Compute(), evaluator.ConfusionMatrix(), clock.Elapsed.TotalSeconds);
    }

    private static void Print(ModelEvaluationResult r)
    {
        static string Percent(double v) => double.IsFinite(v) ? (100 * v).ToString("F1", CultureInfo.InvariantCulture) : "-";
        var s = r.Scores;
        var console = Terminal.Output();
        console.MarkupLine($"[bold]{Markup.Escape(r.Dataset)}[/], {r.Images} images, {Markup.Escape(r.Model)}: " +
                               $"mIoU {Percent(s.MeanIoU)}, mDice {Percent(s.MeanDice)}, aAcc {Percent(s.PixelAccuracy)}, mAcc {Percent(s.MeanRecall)} ({r.Seconds:F1} s)");
        var table = new Table().AddColumns("id", "class", "IoU", "Dice", "Acc");
        for (int c = 0; c < r.Classes.Count; c++)
        {
            table.AddRow(c.ToString(CultureInfo.InvariantCulture), Markup.Escape(r.Classes[c]), Percent(s.IoU[c]), Percent(s.Dice[c]), Percent(s.Recall[c]));
        }
        console.Write(table);
    }
}
