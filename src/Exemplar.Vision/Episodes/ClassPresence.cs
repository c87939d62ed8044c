using System.Runtime.ExceptionServices;
using Exemplar.Torch;
using Exemplar.Vision.Datasets;

namespace Exemplar.Vision.Episodes;

/// <summary>Which classes each item of a data set contains: what class-level episode sampling needs.</summary>
public static class ClassPresence
{
    /// <summary>
    /// The classes of each item, ascending, without the ignore label. Items whose <see cref="DatasetItem.ClassIds"/>
    /// are known are not decoded (unless <paramref name="minPixels"/> &gt; 1); the others' label maps are decoded, in
    /// parallel, and a class counts when it covers at least <paramref name="minPixels"/> pixels.
    /// </summary>
    /// <exception cref="ImageFormatException">A mask cannot be read (the message names it).</exception>
    public static IReadOnlyList<IReadOnlyList<long>> Of(ISegmentationDataset dataset, int minPixels = 1, int? maxParallelism = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(minPixels, 1);
        var result = new IReadOnlyList<long>[dataset.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxParallelism ?? Environment.ProcessorCount };
        try
        {
            Parallel.For(0, dataset.Count, parallel, i =>
            {
                var known = dataset.Items[i].ClassIds;
                result[i] = known is not null && minPixels == 1 ? known : Decode(dataset, i, minPixels);
            });
        }
        catch (AggregateException e)
        {
            // Report a bad mask as itself (its exception names the file), not wrapped by the parallel loop.
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return result;
    }

    private static long[] Decode(ISegmentationDataset dataset, int index, int minPixels)
    {
        using var labels = dataset.LoadLabelMap(index);
        var (values, counts) = DatasetMasks.Histogram(labels);
        return values.Where((v, i) => v != dataset.IgnoreLabel && counts[i] >= minPixels).ToArray();
    }
}
