namespace Exemplar.Vision.Metrics;

/// <summary>
/// The DAVIS summary of a per-frame measure (J or F) over one object's sequence: mean M, recall O (fraction of
/// frames scoring above 0.5) and decay D (mean of the first quarter of frames minus mean of the last quarter).
/// </summary>
/// <param name="Mean">Mean of the per-frame values.</param>
/// <param name="Recall">Fraction of frames above 0.5.</param>
/// <param name="Decay">Mean of the first of four bins minus mean of the last.</param>
public sealed record DavisStatistics(double Mean, double Recall, double Decay)
{
    /// <summary>
    /// Summarises per-frame values as davis2017-evaluation's <c>db_statistics</c>: the bins are split at
    /// round(linspace(1, n, 5) + 1e-10) − 1 with bin i spanning frames [ids[i], ids[i+1]] inclusive (neighbouring bins
    /// share a frame). NaN values are skipped by all three (the reference counts a NaN as "not above 0.5" in recall).
    /// The benchmark evaluates frames 1..n−2 (no first and last frame); pass whichever frames you mean to score.
    /// </summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static DavisStatistics Summarize(IReadOnlyList<double> perFrame)
    {
        ArgumentNullException.ThrowIfNull(perFrame);
        int n = perFrame.Count;
        if (n == 0) throw new ArgumentException("DavisStatistics: no per-frame values", nameof(perFrame));
        double mean = SegmentationScores.NanMean(perFrame);
        var above = perFrame.Where(v => !double.IsNaN(v)).Select(v => v > 0.5 ? 1.0 : 0.0).ToArray();
        double recall = above.Length == 0 ? double.NaN : above.Average();
        var ids = new int[5];
        for (int k = 0; k < 5; k++)
        {
            double position = n == 1 ? 1 : 1 + k * (n - 1) / 4.0;
            ids[k] = (int)Math.Round(position + 1e-10, MidpointRounding.ToEven) - 1;
        }
        double first = SegmentationScores.NanMean(Slice(perFrame, ids[0], ids[1]));
        double last = SegmentationScores.NanMean(Slice(perFrame, ids[3], ids[4]));
        return new DavisStatistics(mean, recall, first - last);
    }

    private static double[] Slice(IReadOnlyList<double> values, int from, int toInclusive) =>
        Enumerable.Range(from, toInclusive - from + 1).Select(i => values[i]).ToArray();
}
