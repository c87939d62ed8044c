using Exemplar.Vision.Datasets;

namespace Exemplar.Vision.Episodes;

/// <summary>The pieces every protocol shares: HSNet's support draw, episode items, argument checks.</summary>
internal static class EpisodeSampling
{
    /// <summary>
    /// HSNet's support loop: draw <c>candidates[choice(len(candidates))]</c> again and again, keeping draws that are not
    /// the query, until <paramref name="shots"/> are kept (so a support can repeat, and draws equal to the query are spent).
    /// </summary>
    internal static int[] DrawSupports(NumpyRandomState random, IReadOnlyList<int> candidates, int query, int shots, string what)
    {
        if (!candidates.Any(c => c != query)) throw new InvalidOperationException($"{what}: no image other than the query to draw supports from");
        var supports = new int[shots];
        for (int n = 0; n < shots;)
        {
            int candidate = candidates[random.ChoiceWithoutReplacement(candidates.Count)];
            if (candidate != query) supports[n++] = candidate;
        }
        return supports;
    }

    /// <summary>The episode item of data set item <paramref name="index"/>: its id and its files relative to the root.</summary>
    internal static EpisodeItem ItemOf(ISegmentationDataset dataset, int index)
    {
        var item = dataset.Items[index];
        return new EpisodeItem(index, item.Id, DatasetFilesRelative(dataset.Root, item.ImagePath),
            item.MaskPath is null ? null : DatasetFilesRelative(dataset.Root, item.MaskPath));
    }

    internal static Episode Make(ISegmentationDataset dataset, int query, IEnumerable<int> supports, int classId, string className, long classLabel) =>
        new(ItemOf(dataset, query), supports.Select(s => ItemOf(dataset, s)).ToArray(), classId, className, classLabel);

    /// <summary>The items of each class (in item order) from per-item class lists.</summary>
    internal static Dictionary<long, List<int>> ItemsByClass(IReadOnlyList<IReadOnlyList<long>> classesOfItem)
    {
        var byClass = new Dictionary<long, List<int>>();
        for (int i = 0; i < classesOfItem.Count; i++)
        {
            foreach (long c in classesOfItem[i].Distinct())
            {
                if (!byClass.TryGetValue(c, out var list)) byClass[c] = list = [];
                list.Add(i);
            }
        }
        return byClass;
    }

    internal static void CheckShots(int shots)
    {
        if (shots < 1) throw new ArgumentOutOfRangeException(nameof(shots), shots, "an episode needs at least one support image (Shots ≥ 1)");
    }

    internal static void CheckFold(int fold, int foldCount, string benchmark)
    {
        if (fold < 0 || fold >= foldCount) throw new ArgumentOutOfRangeException(nameof(fold), fold, $"{benchmark} has folds 0..{foldCount - 1}");
    }

    internal static void CheckEpisodeCount(int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "the episode count must be at least 1");
    }

    private static string DatasetFilesRelative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');
}
