using Exemplar.Torch;

namespace Exemplar.InContext.Tuning;

/// <summary>A segmenter that tunes each episode's prompt (<see cref="PromptTuner"/>) before segmenting its targets: what <c>exemplar eval --tune</c> scores.</summary>
public sealed class TunedExampleSegmenter(Segmenter segmenter, PromptTuningOptions options) : IExampleSegmenter
{
    private readonly PromptTuner _tuner = new(segmenter);
    private double _seconds;
    private int _runs;

    /// <inheritdoc/>
    public string Name => $"{segmenter.Name}+tuned";

    /// <summary>Mean seconds per tuning so far.</summary>
    public double SecondsPerTuning => _runs == 0 ? 0 : _seconds / _runs;

    /// <inheritdoc/>
    public IReadOnlyList<SegmentationResult> SegmentEpisode(PromptSet prompts, IReadOnlyList<Tensor> targets)
    {
        var result = _tuner.Tune(prompts, options);
        _seconds += result.Seconds;
        _runs++;
        using var tuned = result.Prompt;
        return segmenter.Segment(tuned, targets);
    }
}
