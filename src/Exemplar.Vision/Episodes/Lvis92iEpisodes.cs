using Exemplar.Vision.Datasets;

namespace Exemplar.Vision.Episodes;

/// <summary>Options of <see cref="Lvis92iEpisodes"/>.</summary>
public sealed record Lvis92iOptions
{
    /// <summary>The fold, 0..9 (default 0).</summary>
    public int Fold { get; init; }

    /// <summary>K, support images per episode (default 1); also sets which classes qualify (more than K images).</summary>
    public int Shots { get; init; } = 1;

    /// <summary>The NumPy seed (default 0, as Matcher's test fixes it).</summary>
    public uint Seed { get; init; }

    /// <summary>Episodes per fold (default 2300, Matcher's test length).</summary>
    public int EpisodeCount { get; init; } = 2300;
}

/// <summary>
/// LVIS-92i, as defined by Matcher's <c>DatasetLVIS</c> (Liu et al., ICLR 2024; github.com/aim-uofa/Matcher,
/// <c>matcher/data/lvis.py</c>). The classes of the LVIS val annotations that have more than K images, in category
/// order, are dealt round-robin into 10 folds: fold i gets the classes at positions i, i + 10, i + 20, … (only the first
/// 10·⌊n/10⌋ classes are used, 92 per fold in LVIS v1). Episode e takes the fold's class e mod 92 (cycling, not random),
/// then draws with <c>np.random.choice(·, 1, replace=False)</c> after <c>np.random.seed(0)</c> a query among the class's
/// images and supports among them, redrawing draws equal to the query. The query and support masks are the union of
/// the class's instances.
/// </summary>
/// <remarks>
/// Matcher reads classes and image lists from its own <c>lvis_val.pkl</c>; here the class order is the category id
/// order and each class's images are in data set order (image path), which is our assumption about that file.
/// </remarks>
public static class Lvis92iEpisodes
{
    /// <summary>Number of folds.</summary>
    public const int FoldCount = 10;

    /// <summary>The label values of the test classes of <paramref name="fold"/> for K = <paramref name="shots"/>.</summary>
    public static IReadOnlyList<long> TestLabels(CocoInstancesDataset dataset, int fold, int shots = 1)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        EpisodeSampling.CheckFold(fold, FoldCount, "LVIS-92i");
        EpisodeSampling.CheckShots(shots);
        var byClass = EpisodeSampling.ItemsByClass(dataset.Items.Select(i => i.ClassIds ?? []).ToArray());
        var eligible = dataset.Categories.Select(c => c.Label).Where(l => byClass.TryGetValue(l, out var items) && items.Count > shots).ToArray();
        int perFold = eligible.Length / FoldCount;
        return Enumerable.Range(0, perFold).Select(v => eligible[fold + FoldCount * v]).ToArray();
    }

    /// <summary>Samples the test episodes of a fold from the LVIS val annotations <paramref name="dataset"/>.</summary>
    /// <exception cref="InvalidOperationException">Fewer than 10 classes have more than K images.</exception>
    public static EpisodeList Build(CocoInstancesDataset dataset, Lvis92iOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new Lvis92iOptions();
        EpisodeSampling.CheckEpisodeCount(options.EpisodeCount);
        var labels = TestLabels(dataset, options.Fold, options.Shots);
        if (labels.Count == 0) throw new InvalidOperationException($"LVIS-92i: fewer than {FoldCount} classes of {dataset.Name} have more than {options.Shots} images");
        var byClass = EpisodeSampling.ItemsByClass(dataset.Items.Select(i => i.ClassIds ?? []).ToArray());
        var random = new NumpyRandomState(options.Seed);
        var episodes = new Episode[options.EpisodeCount];
        for (int e = 0; e < episodes.Length; e++)
        {
            int classIndex = e % labels.Count;
            long label = labels[classIndex];
            var candidates = byClass[label];
            int query = candidates[random.ChoiceWithoutReplacement(candidates.Count)];
            string name = dataset.CategoryOfLabel(label).Name;
            var supports = EpisodeSampling.DrawSupports(random, candidates, query, options.Shots, $"LVIS-92i class '{name}'");
            episodes[e] = EpisodeSampling.Make(dataset, query, supports, classIndex, name, label);
        }
        return new EpisodeList(EpisodeProtocol.MatcherLvis92i, dataset.Name, options.Shots, options.Seed, options.Fold, episodes);
    }
}
