using System.Text.Json.Serialization;

namespace Exemplar.InContext.Evaluation;

/// <summary>An evaluation the suite could not run (e.g. 5-shot on a data set with too few images per object).</summary>
/// <param name="Dataset">Data set kind.</param>
/// <param name="Shots">K.</param>
/// <param name="Reason">Why.</param>
public sealed record SkippedEvaluation(
    [property: JsonPropertyName("dataset")] string Dataset,
    [property: JsonPropertyName("shots")] int Shots,
    [property: JsonPropertyName("reason")] string Reason);

/// <summary>What <c>exemplar eval --suite</c> writes.</summary>
/// <param name="Suite">Suite name.</param>
/// <param name="Results">Every evaluation run.</param>
/// <param name="Skipped">Every evaluation that could not run, with the reason.</param>
public sealed record SuiteResult(
    [property: JsonPropertyName("suite")] string Suite,
    [property: JsonPropertyName("results")] IReadOnlyList<EvaluationResult> Results,
    [property: JsonPropertyName("skipped")] IReadOnlyList<SkippedEvaluation> Skipped);

/// <summary>
/// The evaluation suite on the shared data (<c>../shared/data</c>): every data set there, 1-shot and 5-shot, seed 0,
/// with each data set's protocol (see <see cref="EvaluationDataset.Open"/>).
/// </summary>
public static class EvaluationSuite
{
    /// <summary>The data sets of the shared folder, relative to it.</summary>
    public static IReadOnlyList<(DatasetKind Kind, string Path)> Shared { get; } =
    [
        (DatasetKind.Davis2016, "data/davis2016"),
        (DatasetKind.PerSeg, "data/samples/perseg"),
        (DatasetKind.Fss1000, "data/samples/fss1000"),
        (DatasetKind.CocoMini, "data/coco-mini"),
        (DatasetKind.CamVid, "data/camvid"),
        (DatasetKind.Ccp, "data/ccp"),
        (DatasetKind.MagneticTile, "data/magnetic-tile"),
        (DatasetKind.Drive, "data/drive"),
        (DatasetKind.Isbi2012, "data/isbi2012"),
    ];

    /// <summary>The shot counts of the suite.</summary>
    public static IReadOnlyList<int> Shots { get; } = [1, 5];

    /// <summary>Runs every segmenter on every shared data set and shot count, at most <paramref name="episodes"/> episodes each.</summary>
    public static SuiteResult RunShared(string sharedRoot, IReadOnlyList<IExampleSegmenter> segmenters, int episodes, Action<string>? progress = null)
    {
        var results = new List<EvaluationResult>();
        var skipped = new List<SkippedEvaluation>();
        foreach (var (kind, path) in Shared)
        {
            var target = new EvaluationDataset(kind, Path.Combine(sharedRoot, path));
            foreach (int shots in Shots)
            {
                Vision.Datasets.ISegmentationDataset dataset;
                Vision.Episodes.EpisodeList list;
                try
                {
                    (dataset, list) = target.Open(new EpisodeOptions(shots, episodes, 0, 0));
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or Vision.Datasets.DatasetLayoutException)
                {
                    skipped.Add(new SkippedEvaluation(target.KindName, shots, e.Message));
                    progress?.Invoke($"{target.KindName} {shots}-shot: skipped ({e.Message})");
                    continue;
                }
                foreach (var segmenter in segmenters)
                {
                    progress?.Invoke($"{target.KindName} {shots}-shot, {list.Episodes.Count} episodes, {segmenter.Name}");
                    results.Add(Evaluator.Run(segmenter, target.KindName, dataset, list));
                }
            }
        }
        return new SuiteResult("shared", results, skipped);
    }
}
