using Exemplar.Torch;
using Exemplar.Vision.Masks;

namespace Exemplar.InContext;

/// <summary>How a region's pixels make its confidence (see <see cref="ObjectDetection"/>).</summary>
public enum ObjectScore
{
    /// <summary>The mean probability of its class over its pixels (default; what Exemplar.Runtime's objects carry).</summary>
    Mean,
    /// <summary>The largest probability of its class over its pixels (its peak).</summary>
    Max,
}

/// <summary>Options of <see cref="ObjectDetection.Find"/>.</summary>
public sealed record ObjectDetectionOptions
{
    /// <summary>
    /// Regions of fewer pixels are dropped (default 16, as Exemplar.Runtime's <c>SegmentOptions.MinObjectArea</c>):
    /// specks at the label map's class boundaries, not objects.
    /// </summary>
    public int MinArea { get; init; } = 16;

    /// <summary>How a region is scored (default: the mean probability).</summary>
    public ObjectScore Score { get; init; } = ObjectScore.Mean;
}

/// <summary>One object found in a segmentation result: a connected region of one class.</summary>
/// <param name="ClassIndex">The class (index into the prompt's class names; label <c>ClassIndex + 1</c> in the label map).</param>
/// <param name="Score">Its confidence, 0 to 1 (<see cref="ObjectDetectionOptions.Score"/>).</param>
/// <param name="Box">Its bounding box in pixels.</param>
/// <param name="Area">Its pixel count.</param>
public sealed record DetectedObject(int ClassIndex, double Score, PixelBox Box, long Area);

/// <summary>
/// Objects (instances, detections) from a <see cref="SegmentationResult"/>: for each class, the 8-connected regions of
/// the pixels the label map gives it, each scored from that class's probabilities over the region, regions under
/// <see cref="ObjectDetectionOptions.MinArea"/> dropped; all classes together, largest first. The same semantics as
/// Exemplar.Runtime's <c>SegmentResult.Objects</c> (which has its own implementation, that layer depending on no
/// other), so that both engines' results give the same objects. Touching objects of one class stay one region: the
/// decoders score pixels, not instances, and nothing here invents a split.
/// </summary>
public static class ObjectDetection
{
    /// <summary>The objects of <paramref name="result"/>, largest first (ties: class order, then row-major order of their first pixel).</summary>
    public static IReadOnlyList<DetectedObject> Find(SegmentationResult result, ObjectDetectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        options ??= new ObjectDetectionOptions();
        if (options.MinArea < 1) throw new ArgumentException($"the minimum object area is at least 1 pixel, got {options.MinArea}", nameof(options));
        var found = new List<DetectedObject>();
        long classes = result.Masks.Size(0);
        for (int c = 0; c < classes; c++)
        {
            using var scope = DisposeScope.Begin();
            var mask = result.Masks.Select(0, c);
            var scores = result.Scores.Select(0, c);
            foreach (var region in ConnectedComponents.FindScored(mask, scores))
            {
                if (region.Area < options.MinArea) continue;
                double score = options.Score == ObjectScore.Mean ? region.MeanScore : region.MaxScore;
                found.Add(new DetectedObject(c, score, region.Box, region.Area));
            }
        }
        return found.OrderByDescending(o => o.Area).ToList();
    }
}
