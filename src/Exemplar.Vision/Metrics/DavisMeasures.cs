using Exemplar.Torch;

namespace Exemplar.Vision.Metrics;

/// <summary>Boundary precision, recall and F-measure of one frame.</summary>
/// <param name="Precision">Fraction of predicted boundary pixels within the tolerance of a true boundary pixel.</param>
/// <param name="Recall">Fraction of true boundary pixels within the tolerance of a predicted boundary pixel.</param>
/// <param name="F">2PR / (P + R), or 0 when P + R = 0.</param>
public readonly record struct BoundaryScore(double Precision, double Recall, double F);

/// <summary>Region similarity J and boundary measure F of one frame.</summary>
/// <param name="J">Region similarity (IoU).</param>
/// <param name="Boundary">Boundary precision, recall and F.</param>
public readonly record struct DavisFrameScore(double J, BoundaryScore Boundary)
{
    /// <summary>The boundary F-measure.</summary>
    public double F => Boundary.F;
}

/// <summary>
/// The DAVIS benchmark's per-frame measures (Perazzi et al., CVPR 2016; davis2017-evaluation): region similarity J
/// and boundary F-measure F, on binary masks [H, W] of any integer or bool dtype (non-zero is foreground). Optional
/// void masks mark pixels to leave out. Computed on the CPU in plain arrays (an 854x480 frame takes about a
/// millisecond).
/// </summary>
public static class DavisMeasures
{
    /// <summary>DAVIS's default boundary tolerance, as a fraction of the image diagonal.</summary>
    public const double DefaultBoundThreshold = 0.008;

    /// <summary>
    /// J: |P ∩ G| / |P ∪ G| over non-void pixels; 1 when the union is empty (both masks empty), as the benchmark does.
    /// </summary>
    public static double RegionSimilarity(Tensor prediction, Tensor groundTruth, Tensor? voidPixels = null)
    {
        var (p, g, v, _, _) = Read(prediction, groundTruth, voidPixels);
        return RegionSimilarity(p, g, v);
    }

    /// <summary>J and F of one frame, reading the masks once (see <see cref="RegionSimilarity(Tensor, Tensor, Tensor?)"/> and <see cref="BoundaryMeasure(Tensor, Tensor, Tensor?, double)"/>).</summary>
    public static DavisFrameScore Measure(Tensor prediction, Tensor groundTruth, Tensor? voidPixels = null, double boundThreshold = DefaultBoundThreshold)
    {
        var (p, g, v, height, width) = Read(prediction, groundTruth, voidPixels);
        double j = RegionSimilarity(p, g, v);
        return new DavisFrameScore(j, BoundaryMeasure(p, g, v, height, width, boundThreshold));
    }

    private static double RegionSimilarity(bool[] p, bool[] g, bool[]? v)
    {
        long inter = 0, union = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (v is not null && v[i]) continue;
            if (p[i] && g[i]) inter++;
            if (p[i] || g[i]) union++;
        }
        return union == 0 ? 1.0 : (double)inter / union;
    }

    /// <summary>
    /// F: boundaries of both masks (void pixels cleared first) by <see cref="BoundaryMap"/>; each boundary is dilated
    /// by a disk of radius <see cref="BoundaryTolerance"/>; precision = matched predicted boundary / predicted boundary,
    /// recall = matched true boundary / true boundary. Empty boundaries as davis2017-evaluation's <c>f_measure</c>:
    /// none predicted but some true → P = 1, R = 0; some predicted but none true → P = 0, R = 1; neither → P = R = 1.
    /// </summary>
    /// <param name="prediction">Predicted mask [H, W].</param>
    /// <param name="groundTruth">True mask [H, W].</param>
    /// <param name="voidPixels">Pixels to leave out [H, W], or null.</param>
    /// <param name="boundThreshold">Tolerance: below 1, a fraction of the diagonal; from 1 on, a whole number of pixels.</param>
    public static BoundaryScore BoundaryMeasure(Tensor prediction, Tensor groundTruth, Tensor? voidPixels = null, double boundThreshold = DefaultBoundThreshold)
    {
        var (p, g, v, height, width) = Read(prediction, groundTruth, voidPixels);
        return BoundaryMeasure(p, g, v, height, width, boundThreshold);
    }

    private static BoundaryScore BoundaryMeasure(bool[] p, bool[] g, bool[]? v, int height, int width, double boundThreshold)
    {
        int radius = BoundaryTolerance(height, width, boundThreshold);
        if (v is not null)
        {
            // DAVIS masks both maps with the void pixels before extracting boundaries (on copies: J uses them too).
            p = (bool[])p.Clone();
            g = (bool[])g.Clone();
            for (int i = 0; i < v.Length; i++)
            {
                if (!v[i]) continue;
                p[i] = false;
                g[i] = false;
            }
        }
        var predBoundary = BoundaryMaps.Extract(p, height, width);
        var trueBoundary = BoundaryMaps.Extract(g, height, width);
        long nPred = BoundaryMaps.Count(predBoundary), nTrue = BoundaryMaps.Count(trueBoundary);
        double precision, recall;
        if (nPred == 0 && nTrue > 0) (precision, recall) = (1, 0);
        else if (nPred > 0 && nTrue == 0) (precision, recall) = (0, 1);
        else if (nPred == 0 && nTrue == 0) (precision, recall) = (1, 1);
        else
        {
            precision = (double)BoundaryMaps.CountMatched(predBoundary, trueBoundary, height, width, radius) / nPred;
            recall = (double)BoundaryMaps.CountMatched(trueBoundary, predBoundary, height, width, radius) / nTrue;
        }
        double f = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new BoundaryScore(precision, recall, f);
    }

    /// <summary>
    /// The dilation radius in pixels: ceil(threshold · √(H² + W²)) for a threshold below 1 (8 for 854x480 at 0.008),
    /// else the threshold itself, which must then be a whole number.
    /// </summary>
    public static int BoundaryTolerance(int height, int width, double boundThreshold = DefaultBoundThreshold)
    {
        if (!(boundThreshold > 0) || double.IsInfinity(boundThreshold)) throw new ArgumentOutOfRangeException(nameof(boundThreshold), boundThreshold, "the boundary threshold must be positive and finite");
        if (boundThreshold >= 1)
        {
            if (boundThreshold != Math.Floor(boundThreshold)) throw new ArgumentOutOfRangeException(nameof(boundThreshold), boundThreshold, "a threshold of 1 or more is a pixel count and must be a whole number");
            return (int)boundThreshold;
        }
        return (int)Math.Ceiling(boundThreshold * Math.Sqrt((double)height * height + (double)width * width));
    }

    /// <summary>The DAVIS boundary map (<c>seg2bmap</c>) of a mask [H, W], as a bool tensor [H, W].</summary>
    public static Tensor BoundaryMap(Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var (height, width) = LabelMaps.CheckMap(mask, nameof(mask));
        var boundary = BoundaryMaps.Extract(LabelMaps.ToForeground(mask, nameof(mask)), height, width);
        return Tensor.From(boundary, height, width);
    }

    private static (bool[] Prediction, bool[] Truth, bool[]? Void, int Height, int Width) Read(Tensor prediction, Tensor groundTruth, Tensor? voidPixels)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(groundTruth);
        var (height, width) = LabelMaps.CheckMap(groundTruth, nameof(groundTruth));
        LabelMaps.CheckSameShape(prediction, groundTruth, nameof(prediction), nameof(groundTruth));
        if (voidPixels is not null) LabelMaps.CheckSameShape(voidPixels, groundTruth, nameof(voidPixels), nameof(groundTruth));
        return (LabelMaps.ToForeground(prediction, nameof(prediction)), LabelMaps.ToForeground(groundTruth, nameof(groundTruth)),
            voidPixels is null ? null : LabelMaps.ToForeground(voidPixels, nameof(voidPixels)), height, width);
    }
}
