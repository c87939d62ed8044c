using Exemplar.Torch;

namespace Exemplar.InContext;

/// <summary>Anything that segments targets from examples in one call: what the evaluation runs, episode by episode.</summary>
public interface IExampleSegmenter
{
    /// <summary>A short name for reports, e.g. "mobilenetv2" or "colour-histogram".</summary>
    string Name { get; }

    /// <summary>Segments each target [3, H, W] uint8 with the examples of <paramref name="prompts"/>; the caller owns the results.</summary>
    IReadOnlyList<SegmentationResult> SegmentEpisode(PromptSet prompts, IReadOnlyList<Tensor> targets);
}

/// <summary>The correspondence segmenter as an <see cref="IExampleSegmenter"/>: encode the prompts, then segment.</summary>
public sealed class FeatureExampleSegmenter(Segmenter segmenter) : IExampleSegmenter
{
    /// <inheritdoc/>
    public string Name => segmenter.Name;

    /// <inheritdoc/>
    public IReadOnlyList<SegmentationResult> SegmentEpisode(PromptSet prompts, IReadOnlyList<Tensor> targets)
    {
        using var features = segmenter.PromptEncoder.Encode(prompts);
        return segmenter.Segment(features, targets);
    }
}
