using Exemplar.Torch;
using Exemplar.Vision.Transforms;

namespace Exemplar.Vision.Datasets;

/// <summary>Some items of a data set, in the order given (a smoke run's few images, a validation subset).</summary>
public sealed class DatasetSubset : ISegmentationDataset
{
    private readonly ISegmentationDataset _source;
    private readonly int[] _indices;

    /// <summary>The items of <paramref name="source"/> at <paramref name="indices"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the source.</exception>
    public DatasetSubset(ISegmentationDataset source, IEnumerable<int> indices)
    {
        _source = source;
        _indices = [.. indices];
        foreach (int i in _indices)
        {
            if (i < 0 || i >= source.Count) throw new ArgumentOutOfRangeException(nameof(indices), i, $"{source.Name} has items 0 to {source.Count - 1}");
        }
        Items = [.. _indices.Select(i => source.Items[i])];
    }

    /// <summary>At most <paramref name="count"/> items spread evenly over <paramref name="source"/> (every item when it has no more), in their order.</summary>
    public static ISegmentationDataset Spread(ISegmentationDataset source, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "a subset has at least one item");
        if (count >= source.Count) return source;
        return new DatasetSubset(source, Enumerable.Range(0, count).Select(i => (int)((long)i * source.Count / count)));
    }

    /// <inheritdoc/>
    public string Name => $"{_source.Name}, {_indices.Length} of {_source.Count}";

    /// <inheritdoc/>
    public string Root => _source.Root;

    /// <inheritdoc/>
    public int Count => _indices.Length;

    /// <inheritdoc/>
    public IReadOnlyList<DatasetClass> Classes => _source.Classes;

    /// <inheritdoc/>
    public long IgnoreLabel => _source.IgnoreLabel;

    /// <inheritdoc/>
    public IReadOnlyList<DatasetItem> Items { get; }

    /// <inheritdoc/>
    public SegmentationSample Load(int index) => _source.Load(_indices[Checked(index)]);

    /// <inheritdoc/>
    public Tensor LoadLabelMap(int index) => _source.LoadLabelMap(_indices[Checked(index)]);

    private int Checked(int index) =>
        index >= 0 && index < _indices.Length ? index : throw new ArgumentOutOfRangeException(nameof(index), index, $"{Name} has items 0 to {_indices.Length - 1}");
}
