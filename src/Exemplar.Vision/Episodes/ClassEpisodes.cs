using Exemplar.Vision.Datasets;

namespace Exemplar.Vision.Episodes;

/// <summary>Options of <see cref="ClassEpisodes"/>.</summary>
public sealed record ClassEpisodeOptions
{
    /// <summary>K, support images per episode (default 1).</summary>
    public int Shots { get; init; } = 1;

    /// <summary>The NumPy seed (default 0).</summary>
    public uint Seed { get; init; }

    /// <summary>Classes that are never an episode's class, e.g. a background (CCP's "null" 0, the magnetic tile's defect-free 0).</summary>
    public IReadOnlyList<long> ExcludedClasses { get; init; } = [];

    /// <summary>Only these classes, or null (default) for every class not excluded.</summary>
    public IReadOnlyList<long>? Classes { get; init; }

    /// <summary>
    /// How many episodes: null (default) makes one per (image, class) pair; a number cycles through the pairs (episode e
    /// takes pair e mod their count), as HSNet's PASCAL test does.
    /// </summary>
    public int? EpisodeCount { get; init; }
}

/// <summary>
/// Class-level episodes of any labelled data set, HSNet-style: the (image, class) pairs — every item, every class it
/// contains (<see cref="ClassPresence"/>), in item then class order — are the queries; the supports of a pair are drawn
/// with <c>np.random.choice(·, 1, replace=False)</c> (seeded) among the other images of its class, redrawing draws equal
/// to the query. Classes with a single image make no episode. The class id is the label value.
/// </summary>
public static class ClassEpisodes
{
    /// <summary>
    /// Samples episodes from <paramref name="dataset"/>. <paramref name="presence"/> (the classes of each item, from
    /// <see cref="ClassPresence.Of"/>) is computed when not given: that decodes the masks of items whose classes the
    /// layout does not tell.
    /// </summary>
    /// <exception cref="InvalidOperationException">No class has two images.</exception>
    public static EpisodeList Build(ISegmentationDataset dataset, ClassEpisodeOptions? options = null, IReadOnlyList<IReadOnlyList<long>>? presence = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new ClassEpisodeOptions();
        EpisodeSampling.CheckShots(options.Shots);
        if (options.EpisodeCount is int count) EpisodeSampling.CheckEpisodeCount(count);
        presence ??= ClassPresence.Of(dataset);
        if (presence.Count != dataset.Count) throw new ArgumentException($"presence lists {presence.Count} items but {dataset.Name} has {dataset.Count}", nameof(presence));
        var wanted = presence.Select(classes => (IReadOnlyList<long>)classes
            .Where(c => c != dataset.IgnoreLabel && !options.ExcludedClasses.Contains(c) && (options.Classes is null || options.Classes.Contains(c)))
            .Distinct().Order().ToArray()).ToArray();
        var byClass = EpisodeSampling.ItemsByClass(wanted);
        var pairs = new List<(int Index, long Label)>();
        for (int i = 0; i < wanted.Length; i++)
        {
            foreach (long c in wanted[i])
            {
                if (byClass[c].Count >= 2) pairs.Add((i, c));
            }
        }
        if (pairs.Count == 0) throw new InvalidOperationException($"{dataset.Name}: no class (of those asked for) is in two images, so no episode can be made");
        var names = dataset.Classes.ToDictionary(c => c.Id, c => c.Name);
        var random = new NumpyRandomState(options.Seed);
        var episodes = new Episode[options.EpisodeCount ?? pairs.Count];
        for (int e = 0; e < episodes.Length; e++)
        {
            var (query, label) = pairs[e % pairs.Count];
            string name = names.GetValueOrDefault(label, $"class {label}");
            var supports = EpisodeSampling.DrawSupports(random, byClass[label], query, options.Shots, $"{dataset.Name} class '{name}'");
            episodes[e] = EpisodeSampling.Make(dataset, query, supports, (int)label, name, label);
        }
        return new EpisodeList(EpisodeProtocol.ClassLevel, dataset.Name, options.Shots, options.Seed, null, episodes);
    }
}
