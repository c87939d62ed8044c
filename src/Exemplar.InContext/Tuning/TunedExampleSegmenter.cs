using Exemplar.Torch;

namespace Exemplar.InContext.Tuning;

/// <summary>A segmenter that tunes each episode's prompt (<see cref="PromptTuner"/>) before segmenting its targets: what <c>exemplar eval --tune</c> scores.</summary>
public sealed class TunedExampleSegmenter(Segmenter segmenter, PromptTuningOptions options) : IExampleSegmenter
{
    private readonly PromptTuner _tuner = new(segmenter);

    /// <inheritdoc/>
    public string Name => $"{segmenter.Name}+tuned";

    /// <inheritdoc/>
    public IReadOnlyList<SegmentationResult> SegmentEpisode(PromptSet prompts, IReadOnlyList<Tensor> targets)
    {
        using var result = _tuner.Tune(prompts, options);
        return segmenter.Segment(result.Prompt, targets);
    }
}
