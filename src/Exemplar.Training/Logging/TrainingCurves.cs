using ScottPlot;
using Exemplar.Training.Trainer;

namespace Exemplar.Training.Logging;

/// <summary>
/// Plots a run's curves as PNG files in its folder, redrawn after each validation and at the end: <c>loss.png</c>
/// (training loss and its terms by step), <c>lr.png</c> (learning rate by step) and <c>validation.png</c> (the
/// averaged validation metrics by step). Reads the points back from the run's <see cref="JsonlLog"/>, so a resumed
/// run's curves cover the whole run.
/// </summary>
public sealed class TrainingCurves(string directory, string logPath) : ITrainerCallback
{
    private static readonly string[] ValidationMetrics = ["mIoU", "mDice", "mAcc", "aAcc"];

    /// <summary>The folder the PNGs go to.</summary>
    public string Directory { get; } = directory;

    /// <inheritdoc/>
    public void OnValidation(ValidationRecord record) => Draw();

    /// <inheritdoc/>
    public void OnEnd(TrainingSummary summary) => Draw();

    /// <summary>Redraws the three plots from the log.</summary>
    public void Draw()
    {
        if (!File.Exists(logPath)) return;
        var records = JsonlLog.Read(logPath);
        var steps = records.Where(r => r["loss"] is not null).ToList();
        var validations = records.Where(r => r["val"] is not null).ToList();
        System.IO.Directory.CreateDirectory(Directory);

        var loss = new Plot();
        AddLine(loss, steps, "loss", "loss");
        foreach (string term in steps.SelectMany(r => r.Select(kv => kv.Key)).Distinct().Where(k => k is not ("step" or "epoch" or "loss" or "lr" or "grad_norm" or "steps_per_s" or "elapsed_s")))
            AddLine(loss, steps, term, term);
        Finish(loss, "Training loss", "loss", "loss.png");

        var lr = new Plot();
        AddLine(lr, steps, "lr", "learning rate");
        Finish(lr, "Learning rate", "lr", "lr.png");

        var val = new Plot();
        foreach (string metric in ValidationMetrics)
        {
            var points = validations.Where(r => r["val"]?[metric] is not null).ToList();
            if (points.Count == 0) continue;
            var line = val.Add.Scatter(points.Select(r => (double)r["step"]!).ToArray(), points.Select(r => (double)r["val"]![metric]!).ToArray());
            line.LegendText = metric;
        }
        Finish(val, "Validation", "score", "validation.png");
    }

    private static void AddLine(Plot plot, IReadOnlyList<System.Text.Json.Nodes.JsonObject> records, string key, string label)
    {
        var points = records.Where(r => r[key] is not null).ToList();
        if (points.Count == 0) return;
        var line = plot.Add.Scatter(points.Select(r => (double)r["step"]!).ToArray(), points.Select(r => (double)r[key]!).ToArray());
        line.LegendText = label;
        line.MarkerSize = points.Count > 50 ? 0 : 4;
    }

    private void Finish(Plot plot, string title, string yLabel, string file)
    {
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel(yLabel);
        plot.ShowLegend();
        plot.SavePng(Path.Combine(Directory, file), 800, 450);
    }
}
