namespace Exemplar.Vision.Transforms;

/// <summary>Applies transforms one after another, freeing the intermediate samples.</summary>
public sealed class Compose : ISegmentationTransform
{
    private readonly ISegmentationTransform[] _transforms;

    /// <summary>A pipeline of <paramref name="transforms"/>, applied in order.</summary>
    /// <exception cref="ArgumentException">A transform is null.</exception>
    public Compose(params ISegmentationTransform[] transforms)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        if (transforms.Any(t => t is null)) throw new ArgumentException("Compose: a transform in the list is null", nameof(transforms));
        _transforms = (ISegmentationTransform[])transforms.Clone();
    }

    /// <summary>The transforms, in the order they run.</summary>
    public IReadOnlyList<ISegmentationTransform> Transforms => _transforms;

    /// <inheritdoc/>
    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(random);
        var current = sample.Alias();
        foreach (var transform in _transforms)
        {
            SegmentationSample next;
            try
            {
                next = transform.Apply(current, random);
            }
            finally
            {
                // Every transform returns new handles, so the previous sample (or the alias of the input) can go.
                current.Dispose();
            }
            current = next;
        }
        return current;
    }
}
