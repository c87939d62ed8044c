namespace Exemplar.Vision.Transforms;

/// <summary>
/// A transform applied jointly to an image and its mask. Implementations draw every random number from the
/// <see cref="Random"/> they are given (never from a global source), so a seeded <c>new Random(seed)</c> gives the
/// same draws on every machine: .NET's seeded <see cref="Random"/> uses a fixed, platform-independent algorithm.
/// </summary>
/// <remarks>
/// What is computed from the draws uses IEEE arithmetic and libtorch's CPU kernels; the few transcendental calls
/// (log/exp of crop aspect ratios, sin/cos of rotation angles, Beta draws for cut-mix with α ≠ 1) go through the
/// platform's math library, which could in principle differ in the last bit between operating systems.
/// </remarks>
public interface ISegmentationTransform
{
    /// <summary>
    /// Transforms <paramref name="sample"/> into a new sample that the caller owns (new tensor handles even when
    /// nothing changed); the input is left as it was and still belongs to the caller.
    /// </summary>
    SegmentationSample Apply(SegmentationSample sample, Random random);
}

/// <summary>
/// A transform that combines several samples into one (cut-mix, mosaic). Put it in a pipeline with
/// <see cref="MixWithDrawnSamples"/>.
/// </summary>
public interface IMixingTransform
{
    /// <summary>How many samples <see cref="Mix"/> takes; the first is the one being augmented.</summary>
    int SampleCount { get; }

    /// <summary>Mixes exactly <see cref="SampleCount"/> samples into a new one that the caller owns; the inputs are left as they were.</summary>
    SegmentationSample Mix(IReadOnlyList<SegmentationSample> samples, Random random);
}
