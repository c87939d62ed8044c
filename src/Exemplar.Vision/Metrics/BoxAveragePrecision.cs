namespace Exemplar.Vision.Metrics;

/// <summary>
/// An axis-aligned box in continuous image coordinates, COCO's <c>[x, y, width, height]</c>: it covers
/// <c>X .. X + Width</c> and <c>Y .. Y + Height</c>, so pixel column <c>i</c> is the interval <c>[i, i + 1]</c>.
/// </summary>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width (not negative).</param>
/// <param name="Height">Height (not negative).</param>
public readonly record struct BoundingBox(double X, double Y, double Width, double Height)
{
    /// <summary>Width × height.</summary>
    public double Area => Width * Height;

    /// <summary>The box of pixels <c>X .. X + Width - 1</c>, rows <c>Y .. Y + Height - 1</c> (the box of a mask region).</summary>
    public static BoundingBox FromPixels(Masks.PixelBox box) => new(box.X, box.Y, box.Width, box.Height);
}

/// <summary>A ground-truth object of one image and category.</summary>
/// <param name="ImageId">The image it belongs to.</param>
/// <param name="CategoryId">Its category.</param>
/// <param name="Box">Its box.</param>
/// <param name="IsCrowd">
/// A COCO crowd region (<c>"iscrowd": 1</c>): not counted as an object to find; a detection on it (IoU computed over the
/// detection's own area) is neither a true nor a false positive, and it can absorb any number of detections.
/// </param>
public sealed record GroundTruthBox(long ImageId, int CategoryId, BoundingBox Box, bool IsCrowd = false);

/// <summary>A detection: a box with a confidence, in one image, for one category.</summary>
/// <param name="ImageId">The image.</param>
/// <param name="CategoryId">The category it claims.</param>
/// <param name="Box">Its box.</param>
/// <param name="Score">Its confidence; higher is ranked first.</param>
public sealed record DetectionBox(long ImageId, int CategoryId, BoundingBox Box, double Score);

/// <summary>The average precision of one category (see <see cref="BoxAveragePrecision"/>).</summary>
/// <param name="CategoryId">The category.</param>
/// <param name="AveragePrecision">101-point interpolated AP, 0 to 1.</param>
/// <param name="GroundTruth">Objects to find (crowd regions not counted).</param>
/// <param name="Detections">Detections ranked (after the per-image limit; those on crowd regions included).</param>
/// <param name="TruePositives">Detections matched to an object.</param>
public sealed record CategoryAveragePrecision(int CategoryId, double AveragePrecision, int GroundTruth, int Detections, int TruePositives);

/// <summary>The outcome of <see cref="BoxAveragePrecision.Evaluate"/>.</summary>
/// <param name="MeanAveragePrecision">The mean AP over the categories with ground truth, 0 to 1 (0 when none has any).</param>
/// <param name="PerCategory">Every category with at least one non-crowd ground-truth object, by id.</param>
/// <param name="IoUThreshold">The IoU a match needs.</param>
public sealed record BoxAveragePrecisionResult(double MeanAveragePrecision, IReadOnlyList<CategoryAveragePrecision> PerCategory, double IoUThreshold);

/// <summary>
/// Box average precision at one IoU threshold (AP50 at 0.5), computed as pycocotools' <c>COCOeval</c> does for
/// <c>iouType="bbox"</c>, area range "all":
/// <list type="bullet">
/// <item>per image and category, detections sorted by score (stable) and at most <c>maxDetections</c> (100) kept;</item>
/// <item>each detection in turn takes the unmatched ground-truth object with the highest IoU ≥ the threshold (IoU =
/// intersection / union; for a crowd region intersection / detection area; among equal IoUs the later object in the
/// order non-crowd first), a crowd region only when no non-crowd object qualifies, and a crowd region stays available;
/// a detection matched to a crowd region is ignored;</item>
/// <item>per category, the detections of all images (images by id) sorted by score (stable); precision made
/// non-increasing from the right; sampled at the 101 recall thresholds 0, 0.01, …, 1 (the first rank whose recall
/// reaches each; 0 past the last); AP the mean of the 101 samples;</item>
/// <item>categories without non-crowd ground truth are left out; the result is the mean over the others.</item>
/// </list>
/// </summary>
public static class BoxAveragePrecision
{
    /// <summary>COCO's limit of detections per image and category.</summary>
    public const int DefaultMaxDetections = 100;

    /// <summary>
    /// IoU of two boxes as pycocotools computes it (<c>bbIou</c>): intersection over union, or over the detection's area
    /// when <paramref name="crowd"/> says the ground truth is a crowd region. 0 when they do not overlap.
    /// </summary>
    public static double IoU(BoundingBox detection, BoundingBox groundTruth, bool crowd = false)
    {
        double w = Math.Min(detection.X + detection.Width, groundTruth.X + groundTruth.Width) - Math.Max(detection.X, groundTruth.X);
        if (w <= 0) return 0;
        double h = Math.Min(detection.Y + detection.Height, groundTruth.Y + groundTruth.Height) - Math.Max(detection.Y, groundTruth.Y);
        if (h <= 0) return 0;
        double intersection = w * h;
        double union = crowd ? detection.Area : detection.Area + groundTruth.Area - intersection;
        return intersection / union;
    }

    /// <summary>Scores <paramref name="detections"/> against <paramref name="groundTruth"/> (see the class summary).</summary>
    /// <param name="groundTruth">Every ground-truth object of the images evaluated.</param>
    /// <param name="detections">Every detection in those images.</param>
    /// <param name="iouThreshold">The IoU a match needs (0.5 for AP50), in (0, 1].</param>
    /// <param name="maxDetections">At most this many detections per image and category, the highest-scoring ones.</param>
    /// <exception cref="ArgumentException">A threshold outside (0, 1], a limit below 1, or a box or score that is not finite or a negative size.</exception>
    public static BoxAveragePrecisionResult Evaluate(IEnumerable<GroundTruthBox> groundTruth, IEnumerable<DetectionBox> detections,
        double iouThreshold = 0.5, int maxDetections = DefaultMaxDetections)
    {
        ArgumentNullException.ThrowIfNull(groundTruth);
        ArgumentNullException.ThrowIfNull(detections);
        if (!(iouThreshold > 0 && iouThreshold <= 1)) throw new ArgumentException($"the IoU threshold must be in (0, 1], got {iouThreshold}", nameof(iouThreshold));
        if (maxDetections < 1) throw new ArgumentException($"at least one detection per image is kept, got {maxDetections}", nameof(maxDetections));
        var gts = groundTruth.ToList();
        var dts = detections.ToList();
        foreach (var g in gts) Check(g.Box, $"ground truth in image {g.ImageId}, category {g.CategoryId}");
        foreach (var d in dts)
        {
            Check(d.Box, $"detection in image {d.ImageId}, category {d.CategoryId}");
            if (!double.IsFinite(d.Score)) throw new ArgumentException($"detection in image {d.ImageId}, category {d.CategoryId}: score {d.Score} is not finite", nameof(detections));
        }
        // pycocotools compares with min(t, 1 - 1e-10) so that a threshold of 1 can still be met.
        double threshold = Math.Min(iouThreshold, 1 - 1e-10);
        var gtByKey = gts.ToLookup(g => (g.CategoryId, g.ImageId));
        var dtByKey = dts.ToLookup(d => (d.CategoryId, d.ImageId));
        var results = new List<CategoryAveragePrecision>();
        foreach (int category in gts.Where(g => !g.IsCrowd).Select(g => g.CategoryId).Distinct().Order())
        {
            var images = gts.Where(g => g.CategoryId == category).Select(g => g.ImageId)
                .Concat(dts.Where(d => d.CategoryId == category).Select(d => d.ImageId)).Distinct().Order();
            var ranked = new List<(double Score, bool Matched, bool Ignored)>();
            int positives = 0;
            foreach (long image in images)
            {
                // Non-crowd objects first, each group in input order (pycocotools' stable argsort on the ignore flag).
                var imageGt = gtByKey[(category, image)].OrderBy(g => g.IsCrowd).ToList();
                positives += imageGt.Count(g => !g.IsCrowd);
                var imageDt = dtByKey[(category, image)].OrderByDescending(d => d.Score).Take(maxDetections).ToList();
                ranked.AddRange(Match(imageGt, imageDt, threshold));
            }
            // Stable: equal scores keep image order, then rank within the image.
            var order = ranked.OrderByDescending(r => r.Score).Where(r => !r.Ignored).ToList();
            var (ap, truePositives) = InterpolatedAp(order.Select(r => r.Matched).ToList(), positives);
            results.Add(new CategoryAveragePrecision(category, ap, positives, ranked.Count, truePositives));
        }
        double mean = results.Count == 0 ? 0 : results.Average(r => r.AveragePrecision);
        return new BoxAveragePrecisionResult(mean, results, iouThreshold);
    }

    /// <summary>Greedy matching in one image, detections in score order: (score, matched to an object, ignored).</summary>
    private static IEnumerable<(double Score, bool Matched, bool Ignored)> Match(List<GroundTruthBox> gt, List<DetectionBox> dt, double threshold)
    {
        var taken = new bool[gt.Count];
        foreach (var d in dt)
        {
            double best = threshold;
            int m = -1;
            for (int g = 0; g < gt.Count; g++)
            {
                if (taken[g] && !gt[g].IsCrowd) continue;
                // Once a non-crowd object is matched, crowd regions (sorted last) cannot take the detection away.
                if (m > -1 && !gt[m].IsCrowd && gt[g].IsCrowd) break;
                double iou = IoU(d.Box, gt[g].Box, gt[g].IsCrowd);
                if (iou < best) continue;
                best = iou;
                m = g;
            }
            if (m == -1)
            {
                yield return (d.Score, false, false);
                continue;
            }
            taken[m] = true;
            yield return (d.Score, !gt[m].IsCrowd, gt[m].IsCrowd);
        }
    }

    /// <summary>101-point interpolated AP of a ranked list of hits (true = true positive) against <paramref name="positives"/> objects.</summary>
    private static (double Ap, int TruePositives) InterpolatedAp(List<bool> hits, int positives)
    {
        int n = hits.Count;
        var recall = new double[n];
        var precision = new double[n];
        int tp = 0, fp = 0;
        // numpy's np.spacing(1): guards 0/0 exactly as pycocotools does.
        double eps = Math.BitIncrement(1.0) - 1.0;
        for (int i = 0; i < n; i++)
        {
            if (hits[i]) tp++;
            else fp++;
            recall[i] = (double)tp / positives;
            precision[i] = tp / (fp + tp + eps);
        }
        for (int i = n - 1; i > 0; i--) precision[i - 1] = Math.Max(precision[i - 1], precision[i]);
        double sum = 0;
        const int points = 101;
        for (int r = 0; r < points; r++)
        {
            // np.linspace(0, 1, 101): r * 0.01 with the last point exactly 1.
            double threshold = r == points - 1 ? 1.0 : r * (1.0 / (points - 1));
            // np.searchsorted(recall, threshold, side="left"): the first rank whose recall reaches the threshold.
            int lo = 0, hi = n;
            while (lo < hi)
            {
                int mid = (lo + hi) / 2;
                if (recall[mid] < threshold) lo = mid + 1;
                else hi = mid;
            }
            if (lo < n) sum += precision[lo];
        }
        return (sum / points, tp);
    }

    private static void Check(BoundingBox box, string what)
    {
        if (!double.IsFinite(box.X) || !double.IsFinite(box.Y) || !double.IsFinite(box.Width) || !double.IsFinite(box.Height) || box.Width < 0 || box.Height < 0)
        {
            throw new ArgumentException($"{what}: box [{box.X}, {box.Y}, {box.Width}, {box.Height}] is not finite with a non-negative size");
        }
    }
}
