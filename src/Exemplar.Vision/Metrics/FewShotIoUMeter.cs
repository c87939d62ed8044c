using Exemplar.Torch;

namespace Exemplar.Vision.Metrics;

/// <summary>Background and foreground intersection and union of one binary episode (ignored pixels excluded).</summary>
/// <param name="BackgroundIntersection">Pixels predicted 0 and truly 0.</param>
/// <param name="BackgroundUnion">Pixels predicted 0 or truly 0.</param>
/// <param name="ForegroundIntersection">Pixels predicted 1 and truly 1.</param>
/// <param name="ForegroundUnion">Pixels predicted 1 or truly 1.</param>
public readonly record struct EpisodeAreas(long BackgroundIntersection, long BackgroundUnion, long ForegroundIntersection, long ForegroundUnion)
{
    /// <summary>Component-wise sum.</summary>
    public static EpisodeAreas operator +(EpisodeAreas a, EpisodeAreas b) => new(
        a.BackgroundIntersection + b.BackgroundIntersection, a.BackgroundUnion + b.BackgroundUnion,
        a.ForegroundIntersection + b.ForegroundIntersection, a.ForegroundUnion + b.ForegroundUnion);
}

/// <summary>
/// Few-shot segmentation scores as HSNet (Min et al., ICCV 2021) computes them, from running totals over episodes.
/// Each episode is a binary query mask (0 background, 1 foreground, the ignore index excluded) of one class.
/// <list type="bullet">
/// <item>mIoU: per class, Σ∩ / max(Σ∪, 1) of the foreground over all episodes of that class — not the mean of
/// per-episode IoUs — then the mean over classes.</item>
/// <item>FB-IoU: the foreground IoU and the background IoU, each Σ∩ / Σ∪ over all episodes (of the classes
/// considered), then their mean.</item>
/// </list>
/// Values are fractions in [0, 1] (HSNet prints them ×100).
/// </summary>
public sealed class FewShotIoUMeter
{
    private readonly SortedDictionary<int, EpisodeAreas> _totals = [];

    /// <summary>An empty meter.</summary>
    /// <param name="ignoreIndex">Target label whose pixels are left out of both prediction and target (HSNet: 255).</param>
    public FewShotIoUMeter(long ignoreIndex = 255)
    {
        if (ignoreIndex is 0 or 1) throw new ArgumentException($"FewShotIoUMeter: the ignore index cannot be 0 or 1, the labels of background and foreground", nameof(ignoreIndex));
        IgnoreIndex = ignoreIndex;
    }

    /// <summary>The target label that is excluded.</summary>
    public long IgnoreIndex { get; }

    /// <summary>Episodes added so far.</summary>
    public int EpisodeCount { get; private set; }

    /// <summary>The classes that have at least one episode, ascending.</summary>
    public IReadOnlyCollection<int> Classes => _totals.Keys;

    /// <summary>The summed areas of a class's episodes (all zero when it has none).</summary>
    public EpisodeAreas Totals(int classId) => _totals.GetValueOrDefault(classId);

    /// <summary>Adds one episode of class <paramref name="classId"/>: prediction [H, W] of 0/1 and target [H, W] of 0/1/ignore.</summary>
    public void Update(Tensor prediction, Tensor target, int classId) => Add(Areas(prediction, target, IgnoreIndex), classId);

    /// <summary>Adds one episode whose areas were already computed with <see cref="Areas"/>.</summary>
    public void Add(EpisodeAreas areas, int classId)
    {
        _totals[classId] = _totals.GetValueOrDefault(classId) + areas;
        EpisodeCount++;
    }

    /// <summary>Adds a batch of episodes: predictions and targets [N, H, W], one class id per episode.</summary>
    public void Update(Tensor predictions, Tensor targets, IReadOnlyList<int> classIds)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(classIds);
        LabelMaps.CheckSameShape(predictions, targets, nameof(predictions), nameof(targets));
        if (predictions.Dim != 3) throw new ArgumentException($"FewShotIoUMeter: a batch must be [N, H, W], got shape [{string.Join(", ", predictions.Shape)}]", nameof(predictions));
        long n = predictions.Size(0);
        if (classIds.Count != n) throw new ArgumentException($"FewShotIoUMeter: {n} episodes but {classIds.Count} class ids", nameof(classIds));
        var all = new EpisodeAreas[n];
        for (int e = 0; e < n; e++)
        {
            using var p = predictions.Select(0, e);
            using var t = targets.Select(0, e);
            all[e] = Areas(p, t, IgnoreIndex);
        }
        for (int e = 0; e < n; e++)
        {
            _totals[classIds[e]] = _totals.GetValueOrDefault(classIds[e]) + all[e];
            EpisodeCount++;
        }
    }

    /// <summary>The foreground IoU of a class over its episodes: Σ∩ / max(Σ∪, 1) (0 for a class with no episodes).</summary>
    public double ClassIoU(int classId)
    {
        var t = Totals(classId);
        return (double)t.ForegroundIntersection / Math.Max(t.ForegroundUnion, 1);
    }

    /// <summary>
    /// Mean of <see cref="ClassIoU"/> over <paramref name="classIds"/> — HSNet's benchmark classes, where a class with no
    /// episode counts as 0 — or, when null, over the classes seen. NaN when there is no class to average.
    /// </summary>
    public double MeanIoU(IEnumerable<int>? classIds = null)
    {
        var ids = (classIds ?? _totals.Keys).Distinct().ToArray();
        return ids.Length == 0 ? double.NaN : ids.Average(ClassIoU);
    }

    /// <summary>
    /// FB-IoU over the episodes of <paramref name="classIds"/> (all when null): mean of background Σ∩/Σ∪ and foreground
    /// Σ∩/Σ∪. A term whose union is 0 is NaN (HSNet divides by it), and so is the result.
    /// </summary>
    public double FbIoU(IEnumerable<int>? classIds = null)
    {
        var sum = new EpisodeAreas();
        foreach (int id in (classIds ?? _totals.Keys).Distinct()) sum += Totals(id);
        double background = sum.BackgroundUnion == 0 ? double.NaN : (double)sum.BackgroundIntersection / sum.BackgroundUnion;
        double foreground = sum.ForegroundUnion == 0 ? double.NaN : (double)sum.ForegroundIntersection / sum.ForegroundUnion;
        return (background + foreground) / 2;
    }

    /// <summary>Clears the totals.</summary>
    public void Reset()
    {
        _totals.Clear();
        EpisodeCount = 0;
    }

    /// <summary>
    /// The areas of one episode: prediction of 0/1 (integer or bool) and target of 0/1/ignore, same shape. Pixels whose
    /// target is the ignore index are left out of both, as HSNet does (it sets the prediction to the ignore value there).
    /// </summary>
    /// <exception cref="ArgumentException">Shapes differ or a value is not allowed (the message says which and where).</exception>
    public static EpisodeAreas Areas(Tensor prediction, Tensor target, long ignoreIndex = 255)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        LabelMaps.CheckSameShape(prediction, target, nameof(prediction), nameof(target));
        var p = LabelMaps.ToLongs(prediction, nameof(prediction));
        var t = LabelMaps.ToLongs(target, nameof(target));
        long bothFg = 0, bothBg = 0, predFg = 0, trueFg = 0, valid = 0;
        for (int i = 0; i < t.Length; i++)
        {
            long ti = t[i];
            if (ti == ignoreIndex) continue;
            if (ti is not (0 or 1)) throw new ArgumentException($"FewShotIoUMeter: target value {ti} at element {i} is not 0, 1 or the ignore index {ignoreIndex}", nameof(target));
            long pi = p[i];
            if (pi is not (0 or 1)) throw new ArgumentException($"FewShotIoUMeter: predicted value {pi} at element {i} is not 0 or 1", nameof(prediction));
            valid++;
            predFg += pi;
            trueFg += ti;
            if (pi == ti)
            {
                if (pi == 1) bothFg++;
                else bothBg++;
            }
        }
        long fgUnion = predFg + trueFg - bothFg;
        long bgUnion = (valid - predFg) + (valid - trueFg) - bothBg;
        return new EpisodeAreas(bothBg, bgUnion, bothFg, fgUnion);
    }
}
