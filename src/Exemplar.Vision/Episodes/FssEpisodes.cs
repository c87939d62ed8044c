using Exemplar.Vision.Datasets;

namespace Exemplar.Vision.Episodes;

/// <summary>Options of <see cref="FssEpisodes"/>.</summary>
public sealed record FssEpisodeOptions
{
    /// <summary>K, support images per episode (default 1).</summary>
    public int Shots { get; init; } = 1;

    /// <summary>The NumPy seed (default 0, as HSNet's test fixes it).</summary>
    public uint Seed { get; init; }
}

/// <summary>
/// FSS-1000 episodes as HSNet's <c>DatasetFSS</c> samples them at test time (Min et al., ICCV 2021; also Matcher):
/// every image of the split is the query of one episode, in data set order (classes sorted, images sorted by file name);
/// its supports are drawn with <c>np.random.choice(range(1, 11), 1, replace=False)</c> after <c>np.random.seed(0)</c>,
/// redrawing when the draw is the query, so supports can repeat. Here the population is the class's images in numeric
/// order of their names — FSS-1000's 1..10, so draw j is HSNet's image j + 1 and the episodes are HSNet's.
/// </summary>
public static class FssEpisodes
{
    /// <summary>Samples the episodes of <paramref name="dataset"/>.</summary>
    /// <exception cref="InvalidOperationException">A class has a single image (no support can be drawn).</exception>
    public static EpisodeList Build(FssDataset dataset, FssEpisodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new FssEpisodeOptions();
        EpisodeSampling.CheckShots(options.Shots);
        var byClass = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < dataset.Count; i++)
        {
            string category = dataset.Items[i].Category!;
            if (!byClass.TryGetValue(category, out var list)) byClass[category] = list = [];
            list.Add(i);
        }
        foreach (var list in byClass.Values)
        {
            list.Sort((a, b) => DatasetFilesNatural(dataset.Items[a].ImagePath, dataset.Items[b].ImagePath));
        }
        var random = new NumpyRandomState(options.Seed);
        var episodes = new Episode[dataset.Count];
        for (int query = 0; query < dataset.Count; query++)
        {
            string category = dataset.Items[query].Category!;
            var supports = EpisodeSampling.DrawSupports(random, byClass[category], query, options.Shots, $"FSS-1000 class '{category}'");
            episodes[query] = EpisodeSampling.Make(dataset, query, supports, dataset.CategoryIdOf(category), category, 1);
        }
        return new EpisodeList(EpisodeProtocol.HsnetFss, dataset.Name, options.Shots, options.Seed, null, episodes);
    }

    private static int DatasetFilesNatural(string a, string b) =>
        DatasetFiles.CompareNatural(Path.GetFileNameWithoutExtension(a), Path.GetFileNameWithoutExtension(b));
}
