using Exemplar.InContext.Evaluation;
using Exemplar.Training.Trainer;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Episodes;

namespace Exemplar.InContext.Training;

/// <summary>
/// Validates an in-context segmenter on fixed episodes of several data sets' eval sides (the same episodes every
/// time): <c>mIoU</c> is the mean over the data sets of each one's mIoU (percent), and <c>mIoU.&lt;kind&gt;</c> each one's.
/// </summary>
public sealed class EpisodeValidator : IValidator
{
    private readonly IExampleSegmenter _segmenter;
    private readonly List<(string Kind, ISegmentationDataset Dataset, EpisodeList Episodes)> _sets = [];

    /// <summary>Opens <paramref name="episodes"/> episodes of <paramref name="shots"/> shots (seed 0) of each data set.</summary>
    public EpisodeValidator(Segmenter segmenter, IReadOnlyList<EvaluationDataset> datasets, int episodes, int shots)
    {
        _segmenter = new FeatureExampleSegmenter(segmenter);
        foreach (var d in datasets)
        {
            var (dataset, list) = d.Open(new EpisodeOptions(shots, episodes, 0, 0));
            _sets.Add((d.KindName, dataset, list));
        }
        if (_sets.Count == 0) throw new ArgumentException("at least one validation data set is needed", nameof(datasets));
    }

    /// <summary>Episodes validated per call.</summary>
    public int EpisodeCount => _sets.Sum(s => s.Episodes.Episodes.Count);

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Validate(CancellationToken cancellation)
    {
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (kind, dataset, list) in _sets)
        {
            cancellation.ThrowIfCancellationRequested();
            scores[$"mIoU.{kind}"] = Evaluator.Run(_segmenter, kind, dataset, list).MeanIoU;
        }
        scores["mIoU"] = scores.Values.Average();
        return scores;
    }
}
