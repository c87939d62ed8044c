using Exemplar.Vision.Datasets;

namespace Exemplar.Vision.Episodes;

/// <summary>Options of <see cref="Coco20iEpisodes"/>.</summary>
public sealed record Coco20iOptions
{
    /// <summary>The fold, 0..3 (default 0).</summary>
    public int Fold { get; init; }

    /// <summary>K, support images per episode (default 1).</summary>
    public int Shots { get; init; } = 1;

    /// <summary>The NumPy seed (default 0, as HSNet's test fixes it).</summary>
    public uint Seed { get; init; }

    /// <summary>Episodes per fold (default 1000, HSNet's test length).</summary>
    public int EpisodeCount { get; init; } = 1000;
}

/// <summary>
/// COCO-20i (Nguyen and Todorovic, ICCV 2019), sampled as HSNet's <c>DatasetCOCO</c> does at test time. The 80 COCO
/// categories, numbered 0..79 by category id (label = number + 1), are split into 4 folds; fold i tests the classes
/// i + 4v, v = 0..19 (labels 4v + i + 1) — HSNet's <c>class_ids_val = [fold + nfolds * v for v in range(20)]</c>, the same
/// split as PFENet's <c>use_split_coco</c>. Each episode draws, with <c>np.random.choice(·, 1, replace=False)</c> after
/// <c>np.random.seed(0)</c>: a class of the fold, a query among the class's images, then supports among them,
/// redrawing draws equal to the query.
/// </summary>
/// <remarks>
/// HSNet reads each class's image list from its <c>splits/coco/val/fold*.pkl</c> (COCO-2014 val). Here the lists are
/// the images of the given data set whose annotations include the class, in data set order (image file name), so with
/// other lists the episodes differ. A class with fewer than two images cannot make an episode (HSNet would fail on it)
/// and is left out of the draw; with full COCO no class is.
/// </remarks>
public static class Coco20iEpisodes
{
    /// <summary>Number of folds.</summary>
    public const int FoldCount = 4;

    /// <summary>The label values (1..80) of the test classes of <paramref name="fold"/>: 4v + fold + 1, v = 0..19.</summary>
    public static IReadOnlyList<long> TestLabels(int fold)
    {
        EpisodeSampling.CheckFold(fold, FoldCount, "COCO-20i");
        return Enumerable.Range(0, 20).Select(v => (long)(fold + FoldCount * v + 1)).ToArray();
    }

    /// <summary>The label values of the training classes of <paramref name="fold"/> (the other 60).</summary>
    public static IReadOnlyList<long> TrainLabels(int fold)
    {
        var test = TestLabels(fold);
        return Enumerable.Range(1, 80).Select(l => (long)l).Where(l => !test.Contains(l)).ToArray();
    }

    /// <summary>Samples the test episodes of a fold from <paramref name="dataset"/> (which must have the 80 COCO categories).</summary>
    /// <exception cref="ArgumentException">The data set does not have 80 categories.</exception>
    /// <exception cref="InvalidOperationException">No class of the fold has two images.</exception>
    public static EpisodeList Build(CocoInstancesDataset dataset, Coco20iOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new Coco20iOptions();
        EpisodeSampling.CheckShots(options.Shots);
        EpisodeSampling.CheckEpisodeCount(options.EpisodeCount);
        var labels = TestLabels(options.Fold);
        if (dataset.Categories.Count != 80)
        {
            throw new ArgumentException($"COCO-20i needs the 80 COCO categories; {dataset.AnnotationPath} has {dataset.Categories.Count}", nameof(dataset));
        }
        var byClass = EpisodeSampling.ItemsByClass(dataset.Items.Select(i => i.ClassIds ?? []).ToArray());
        var eligible = labels.Where(l => byClass.TryGetValue(l, out var items) && items.Count >= 2).ToArray();
        if (eligible.Length == 0)
        {
            throw new InvalidOperationException($"COCO-20i fold {options.Fold}: no test class has two images in {dataset.Name}");
        }
        var random = new NumpyRandomState(options.Seed);
        var episodes = new Episode[options.EpisodeCount];
        for (int e = 0; e < episodes.Length; e++)
        {
            long label = eligible[random.ChoiceWithoutReplacement(eligible.Length)];
            var candidates = byClass[label];
            int query = candidates[random.ChoiceWithoutReplacement(candidates.Count)];
            string name = dataset.CategoryOfLabel(label).Name;
            var supports = EpisodeSampling.DrawSupports(random, candidates, query, options.Shots, $"COCO-20i class '{name}'");
            episodes[e] = EpisodeSampling.Make(dataset, query, supports, (int)label - 1, name, label);
        }
        return new EpisodeList(EpisodeProtocol.HsnetCoco20i, dataset.Name, options.Shots, options.Seed, options.Fold, episodes);
    }
}
