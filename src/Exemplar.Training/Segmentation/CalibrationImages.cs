using Exemplar.Torch;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Transforms;

namespace Exemplar.Training.Segmentation;

/// <summary>
/// Images for post-training quantisation, prepared as Exemplar.Runtime prepares what it segments: the longest side
/// resized to the bundle's input size, the rest padded, normalised — so that the observed ranges are the ones the
/// int8 graph meets.
/// </summary>
public static class CalibrationImages
{
    /// <summary>
    /// <paramref name="count"/> items spread over <paramref name="dataset"/>, each as a [1, 3, S, S] float32 batch that
    /// stays valid until the next is asked for (then it is freed).
    /// </summary>
    public static IEnumerable<Tensor> Prepare(ISegmentationDataset dataset, int count, int size, NormalizeOptions normalize)
    {
        var subset = DatasetSubset.Spread(dataset, count);
        var resizer = new ResizeLongestSidePad(new ResizePadOptions { Size = size });
        for (int i = 0; i < subset.Count; i++)
        {
            using var sample = subset.Load(i);
            using var scope = DisposeScope.Begin();
            var geometry = resizer.GeometryFor(sample.Height, sample.Width);
            yield return Normalize.Forward(resizer.ResizeImage(sample.Image, geometry), normalize).Unsqueeze(0);
        }
    }
}
