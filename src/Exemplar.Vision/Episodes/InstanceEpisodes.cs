using Exemplar.Vision.Datasets;

namespace Exemplar.Vision.Episodes;

/// <summary>Options of <see cref="InstanceEpisodes"/>.</summary>
public sealed record InstanceEpisodeOptions
{
    /// <summary>K: the first K images of each object are its examples (default 1).</summary>
    public int Shots { get; init; } = 1;

    /// <summary>The label of the object in the label maps (default 1, as in binary masks).</summary>
    public long ObjectLabel { get; init; } = 1;
}

/// <summary>
/// Instance-level episodes: the items are grouped by <see cref="DatasetItem.Category"/> (a DAVIS sequence, a PerSeg
/// object), groups in item order; in each group the first K items (the first frames of a video) are the examples and
/// every later item is the query of one episode. Nothing is random. The class id is the group's position.
/// </summary>
public static class InstanceEpisodes
{
    /// <summary>Makes the episodes of <paramref name="dataset"/>.</summary>
    /// <exception cref="ArgumentException">An item has no category (the data set is not instance-grouped).</exception>
    /// <exception cref="InvalidOperationException">No group has more than K items.</exception>
    public static EpisodeList Build(ISegmentationDataset dataset, InstanceEpisodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new InstanceEpisodeOptions();
        EpisodeSampling.CheckShots(options.Shots);
        var groups = new List<(string Name, List<int> Items)>();
        var byName = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < dataset.Count; i++)
        {
            string name = dataset.Items[i].Category
                ?? throw new ArgumentException($"{dataset.Name}: item '{dataset.Items[i].Id}' has no category; instance-level episodes need items grouped by object", nameof(dataset));
            if (!byName.TryGetValue(name, out var list))
            {
                byName[name] = list = [];
                groups.Add((name, list));
            }
            list.Add(i);
        }
        var episodes = new List<Episode>();
        for (int g = 0; g < groups.Count; g++)
        {
            var (name, items) = groups[g];
            var supports = items.Take(options.Shots).ToArray();
            foreach (int query in items.Skip(options.Shots)) episodes.Add(EpisodeSampling.Make(dataset, query, supports, g, name, options.ObjectLabel));
        }
        if (episodes.Count == 0) throw new InvalidOperationException($"{dataset.Name}: no object has more than {options.Shots} images");
        return new EpisodeList(EpisodeProtocol.InstanceLevel, dataset.Name, options.Shots, 0, null, episodes);
    }
}
