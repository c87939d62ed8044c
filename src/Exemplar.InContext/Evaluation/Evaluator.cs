using System.Diagnostics;
using System.Text.Json.Serialization;
using Exemplar.Torch;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Episodes;
using Exemplar.Vision.Metrics;
using Exemplar.Vision.Visualization;

namespace Exemplar.InContext.Evaluation;

/// <summary>One episode's outcome, for finding the best and worst.</summary>
/// <param name="Index">Position in the episode list.</param>
/// <param name="QueryId">The query item's id.</param>
/// <param name="ClassName">The episode's class.</param>
/// <param name="IoU">Foreground IoU of this episode alone.</param>
public sealed record EpisodeOutcome(int Index, string QueryId, string ClassName, double IoU);

/// <summary>The scores of one evaluation, as <c>exemplar eval --json</c> writes them.</summary>
/// <param name="Dataset">Data set kind.</param>
/// <param name="Segmenter">The segmenter's name (encoder, or the colour baseline).</param>
/// <param name="Shots">K.</param>
/// <param name="Episodes">Episodes run.</param>
/// <param name="Seed">Episode seed.</param>
/// <param name="Fold">Fold, where the protocol has folds.</param>
/// <param name="MeanIoU">mIoU as HSNet computes it: per class Σ∩/Σ∪ over its episodes, then the mean over classes (percent).</param>
/// <param name="FbIoU">Mean of the foreground and background IoU, each accumulated over all episodes (percent).</param>
/// <param name="PerClass">Per-class IoU (percent), by class name.</param>
/// <param name="MsPerEpisode">Wall-clock milliseconds per episode, decoding included.</param>
/// <param name="Worst">The worst episodes (lowest IoU first).</param>
/// <param name="Best">The best episodes (highest IoU first).</param>
public sealed record EvaluationResult(
    [property: JsonPropertyName("dataset")] string Dataset,
    [property: JsonPropertyName("segmenter")] string Segmenter,
    [property: JsonPropertyName("shots")] int Shots,
    [property: JsonPropertyName("episodes")] int Episodes,
    [property: JsonPropertyName("seed")] uint Seed,
    [property: JsonPropertyName("fold")] int? Fold,
    [property: JsonPropertyName("miou")] double MeanIoU,
    [property: JsonPropertyName("fbiou")] double FbIoU,
    [property: JsonPropertyName("per_class")] IReadOnlyDictionary<string, double> PerClass,
    [property: JsonPropertyName("ms_per_episode")] double MsPerEpisode,
    [property: JsonPropertyName("worst")] IReadOnlyList<EpisodeOutcome> Worst,
    [property: JsonPropertyName("best")] IReadOnlyList<EpisodeOutcome> Best);

/// <summary>Runs a segmenter over an episode list and scores it with the few-shot metrics of the literature.</summary>
public static class Evaluator
{
    /// <summary>
    /// Segments every episode's query from its supports and accumulates HSNet's running totals (ignored pixels are not
    /// scored). With <paramref name="reportFolder"/>, saves grids of the 3 best and 3 worst episodes there.
    /// </summary>
    public static EvaluationResult Run(IExampleSegmenter segmenter, string datasetKind, ISegmentationDataset dataset, EpisodeList list,
        Action<int, int>? progress = null, string? reportFolder = null, bool overwriteReport = false)
    {
        var meter = new FewShotIoUMeter(dataset.IgnoreLabel);
        var outcomes = new List<EpisodeOutcome>();
        var names = new Dictionary<int, string>();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < list.Episodes.Count; i++)
        {
            var episode = list.Episodes[i];
            using var scope = DisposeScope.Begin();
            using var samples = EpisodeLoader.Load(dataset, episode);
            using var result = Segment(segmenter, samples, dataset.IgnoreLabel);
            var prediction = result.LabelMap.Ne(0).To(DType.Int64);
            var areas = FewShotIoUMeter.Areas(prediction, samples.Query.Mask, dataset.IgnoreLabel);
            meter.Add(areas, episode.ClassId);
            names[episode.ClassId] = episode.ClassName;
            double iou = areas.ForegroundUnion == 0 ? 1 : (double)areas.ForegroundIntersection / areas.ForegroundUnion;
            outcomes.Add(new EpisodeOutcome(i, episode.Query.Id, episode.ClassName, iou));
            progress?.Invoke(i + 1, list.Episodes.Count);
        }
        double ms = clock.Elapsed.TotalMilliseconds / Math.Max(1, list.Episodes.Count);
        var ordered = outcomes.OrderBy(o => o.IoU).ThenBy(o => o.Index).ToList();
        var worst = ordered.Take(3).ToList();
        var best = ordered.AsEnumerable().Reverse().Take(3).ToList();
        if (reportFolder is not null) SaveReport(segmenter, dataset, list, reportFolder, worst, best, overwriteReport);
        var classIds = names.Keys.Order().ToList();
        return new EvaluationResult(
            datasetKind, segmenter.Name, list.Shots, list.Episodes.Count, list.Seed, list.Fold,
            meter.MeanIoU(classIds) * 100, meter.FbIoU(classIds) * 100,
            classIds.ToDictionary(c => names[c], c => meter.ClassIoU(c) * 100),
            ms, worst, best);
    }

    /// <summary>Segments an episode's query from its supports as the evaluation does (ignored pixels are neither class nor background).</summary>
    public static SegmentationResult Segment(IExampleSegmenter segmenter, EpisodeSamples samples, long ignoreLabel)
    {
        using var prompts = new PromptSet([samples.Episode.ClassName]);
        foreach (var support in samples.Support)
        {
            // The episode's masks hold 1 for the class, 0 elsewhere and the ignore label where ignored (void, outside
            // the field of view): ignored pixels are evidence for neither the class nor the background.
            prompts.Add(support.Image.Alias(), support.Mask.Eq(1).To(DType.UInt8).Unsqueeze(0), support.Metadata?.SourceId ?? samples.Episode.ClassName,
                support.Mask.Eq(ignoreLabel));
        }
        return segmenter.SegmentEpisode(prompts, [samples.Query.Image])[0];
    }

    private static void SaveReport(IExampleSegmenter segmenter, ISegmentationDataset dataset, EpisodeList list, string folder,
        IReadOnlyList<EpisodeOutcome> worst, IReadOnlyList<EpisodeOutcome> best, bool overwrite)
    {
        Directory.CreateDirectory(folder);
        foreach (var (kind, outcomes) in new[] { ("worst", worst), ("best", best) })
        {
            for (int rank = 0; rank < outcomes.Count; rank++)
            {
                var outcome = outcomes[rank];
                using var scope = DisposeScope.Begin();
                using var samples = EpisodeLoader.Load(dataset, list.Episodes[outcome.Index]);
                using var result = Segment(segmenter, samples, dataset.IgnoreLabel);
                var examples = samples.Support.Select(s => new AnnotatedImage(s.Image, s.Mask)).ToList();
                string path = Path.Combine(folder, $"{kind}{rank + 1}_iou{outcome.IoU * 100:F0}_{Sanitize(outcome.QueryId)}.png");
                var captions = new EpisodeCaptions([outcome.ClassName], $"{segmenter.Name}: IoU {outcome.IoU * 100:F0}");
                EpisodeVisualizer.Save(path, examples, samples.Query.Image, result.LabelMap, samples.Query.Mask, overwrite, OverlayOptions.SingleClass, captions: captions);
            }
        }
    }

    private static string Sanitize(string id) => string.Concat(id.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
}
