using System.Text.Json;
using System.Text.Json.Nodes;
using Exemplar.Training.Trainer;

namespace Exemplar.Training.Logging;

/// <summary>
/// Writes a run's log as JSON Lines: one record per logged step (<c>step</c>, <c>epoch</c>, <c>loss</c>, <c>lr</c>,
/// <c>grad_norm</c>, <c>steps_per_s</c>, <c>elapsed_s</c> and each loss term) and one per validation (<c>step</c>,
/// <c>epoch</c>, <c>val</c>: the metrics, <c>best</c>). A resumed run keeps the records up to its checkpoint's step
/// and drops the later ones (steps the interrupted run took after its last checkpoint, which are taken again).
/// </summary>
public sealed class JsonlLog(string path) : ITrainerCallback
{
    /// <summary>The log file.</summary>
    public string Path { get; } = path;

    /// <summary>Every record in a log file, in order (for plotting, tests, tools).</summary>
    public static IReadOnlyList<JsonObject> Read(string path) =>
        [.. File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject())];

    /// <inheritdoc/>
    public void OnStart(TrainingStart start)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        if (start.StartStep == 0 || !File.Exists(Path))
        {
            File.WriteAllText(Path, "");
            return;
        }
        var kept = File.ReadLines(Path).Where(l => l.Length > 0 && (long?)JsonNode.Parse(l)?["step"] <= start.StartStep).ToList();
        File.WriteAllLines(Path, kept);
    }

    /// <inheritdoc/>
    public void OnStep(StepRecord record)
    {
        var line = new JsonObject
        {
            ["step"] = record.Step,
            ["epoch"] = record.Epoch,
            ["loss"] = record.Loss,
            ["lr"] = record.LearningRate,
            ["grad_norm"] = record.GradNorm,
            ["steps_per_s"] = Math.Round(record.StepsPerSecond, 4),
            ["elapsed_s"] = Math.Round(record.ElapsedSeconds, 3),
        };
        foreach (var (name, value) in record.Terms) line[name] = value;
        Append(line);
    }

    /// <inheritdoc/>
    public void OnValidation(ValidationRecord record) => Append(new JsonObject
    {
        ["step"] = record.Step,
        ["epoch"] = record.Epoch,
        ["val"] = new JsonObject([.. record.Metrics.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)(double.IsFinite(kv.Value) ? kv.Value : null)))]),
        ["best"] = record.IsBest,
        ["stops_early"] = record.StopsEarly,
    });

    private void Append(JsonObject line) => File.AppendAllText(Path, line.ToJsonString(JsonOptions) + "\n");

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };
}
