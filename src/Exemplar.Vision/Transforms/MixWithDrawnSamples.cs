namespace Exemplar.Vision.Transforms;

/// <summary>
/// Puts an <see cref="IMixingTransform"/> into a pipeline: the sample being transformed is mixed with
/// <c>SampleCount − 1</c> others fetched from <c>drawSample</c> (typically random picks from the dataset, made with
/// the same <see cref="Random"/> so the whole pipeline stays reproducible).
/// </summary>
public sealed class MixWithDrawnSamples : ISegmentationTransform
{
    private readonly Func<Random, SegmentationSample> _drawSample;

    /// <summary>Mixes with samples from <paramref name="drawSample"/>, which must return a new sample the caller owns (it is disposed after mixing).</summary>
    public MixWithDrawnSamples(IMixingTransform mixer, Func<Random, SegmentationSample> drawSample)
    {
        ArgumentNullException.ThrowIfNull(mixer);
        ArgumentNullException.ThrowIfNull(drawSample);
        if (mixer.SampleCount < 1) throw new ArgumentException($"MixWithDrawnSamples: the mixer takes {mixer.SampleCount} samples, need at least 1", nameof(mixer));
        Mixer = mixer;
        _drawSample = drawSample;
    }

    /// <summary>The mixing transform.</summary>
    public IMixingTransform Mixer { get; }

    /// <summary>Draws the partner samples (in order, from <paramref name="random"/>), then mixes.</summary>
    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(random);
        var partners = new List<SegmentationSample>(Mixer.SampleCount - 1);
        try
        {
            for (int k = 1; k < Mixer.SampleCount; k++)
            {
                partners.Add(_drawSample(random) ?? throw new InvalidOperationException("MixWithDrawnSamples: the sample source returned null"));
            }
            return Mixer.Mix([sample, .. partners], random);
        }
        finally
        {
            foreach (var p in partners) p.Dispose();
        }
    }
}
