using Exemplar.Torch;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Transforms;

namespace Exemplar.Vision.Episodes;

/// <summary>The decoded images and binary masks of one episode; disposing it frees every tensor.</summary>
public sealed class EpisodeSamples : IDisposable
{
    internal EpisodeSamples(Episode episode, SegmentationSample query, SegmentationSample[] support)
    {
        Episode = episode;
        Query = query;
        Support = support;
    }

    /// <summary>The episode.</summary>
    public Episode Episode { get; }

    /// <summary>The query: image [3, H, W] uint8, mask [H, W] int64 (1 the class, 0 not, the ignore label where ignored).</summary>
    public SegmentationSample Query { get; }

    /// <summary>The K supports, masks as for <see cref="Query"/>.</summary>
    public IReadOnlyList<SegmentationSample> Support { get; }

    /// <summary>Frees every image and mask.</summary>
    public void Dispose()
    {
        Query.Dispose();
        foreach (var s in Support) s.Dispose();
    }
}

/// <summary>Decodes episodes: images, and binary masks of the episode's class.</summary>
public static class EpisodeLoader
{
    /// <summary>
    /// Decodes <paramref name="episode"/> from <paramref name="dataset"/>. The masks are 1 where the label map holds the
    /// episode's class label, the data set's ignore label where it is ignored, 0 elsewhere; data sets that are an
    /// <see cref="IClassMaskSource"/> (COCO, LVIS) give the class's full mask, overlaps included.
    /// </summary>
    /// <exception cref="InvalidOperationException">The episode's items are not this data set's (their ids differ).</exception>
    public static EpisodeSamples Load(ISegmentationDataset dataset, Episode episode)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(episode);
        foreach (var item in episode.Support.Prepend(episode.Query)) Check(dataset, item);
        var loaded = new List<SegmentationSample>();
        try
        {
            foreach (var item in episode.Support.Prepend(episode.Query)) loaded.Add(LoadOne(dataset, item.Index, episode.ClassLabel));
            return new EpisodeSamples(episode, loaded[0], [.. loaded.Skip(1)]);
        }
        catch
        {
            foreach (var s in loaded) s.Dispose();
            throw;
        }
    }

    /// <summary>The binary mask of <paramref name="classLabel"/> in <paramref name="labels"/> [H, W]: 1 / 0, <paramref name="ignoreLabel"/> kept.</summary>
    public static Tensor BinaryMask(Tensor labels, long classLabel, long ignoreLabel)
    {
        ArgumentNullException.ThrowIfNull(labels);
        using var scope = DisposeScope.Begin();
        var wide = labels.DType == DType.Int64 ? labels : labels.To(DType.Int64);
        var binary = wide.Eq(classLabel).To(DType.Int64);
        var result = binary.MaskedFill(wide.Eq(ignoreLabel), ignoreLabel);
        return result.MoveToOuterScope();
    }

    private static SegmentationSample LoadOne(ISegmentationDataset dataset, int index, long classLabel)
    {
        var sample = dataset.Load(index);
        try
        {
            var mask = dataset is IClassMaskSource source
                ? source.LoadClassMask(index, classLabel)
                : BinaryMask(sample.Mask, classLabel, dataset.IgnoreLabel);
            return new SegmentationSample(sample.Image.Alias(), mask, sample.Metadata);
        }
        finally
        {
            sample.Dispose();
        }
    }

    private static void Check(ISegmentationDataset dataset, EpisodeItem item)
    {
        if ((uint)item.Index >= (uint)dataset.Count || dataset.Items[item.Index].Id != item.Id)
        {
            string here = (uint)item.Index < (uint)dataset.Count ? $"'{dataset.Items[item.Index].Id}'" : "out of range";
            throw new InvalidOperationException($"the episode was not built from {dataset.Name}: its item {item.Index} is '{item.Id}', here it is {here}");
        }
    }
}
