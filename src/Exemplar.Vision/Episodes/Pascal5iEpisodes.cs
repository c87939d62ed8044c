using System.Globalization;
using Exemplar.Vision.Datasets;

namespace Exemplar.Vision.Episodes;

/// <summary>Options of <see cref="Pascal5iEpisodes"/>.</summary>
public sealed record Pascal5iOptions
{
    /// <summary>The fold, 0..3 (default 0).</summary>
    public int Fold { get; init; }

    /// <summary>K, support images per episode (default 1).</summary>
    public int Shots { get; init; } = 1;

    /// <summary>The NumPy seed (default 0, as HSNet's test fixes it).</summary>
    public uint Seed { get; init; }

    /// <summary>Episodes per fold (default 1000, HSNet's test length).</summary>
    public int EpisodeCount { get; init; } = 1000;

    /// <summary>
    /// HSNet's fold list (<c>data/splits/pascal/val/fold&lt;i&gt;.txt</c>: lines <c>2007_000033__01</c>, image id and
    /// 1-based class of the fold), to reproduce HSNet's episodes exactly. Null (default): every (image, fold class
    /// present) pair of the data set, in item order then class order, found by decoding the masks.
    /// </summary>
    public string? FoldListFile { get; init; }
}

/// <summary>
/// PASCAL-5i (Shaban et al., BMVC 2017), sampled as HSNet's <c>DatasetPASCAL</c> does at test time. The 20 VOC classes
/// are split into 4 folds of 5; fold i tests classes 5i + 1..5i + 5 (labels). The fold's (image, class) list is cycled
/// through (episode e takes entry e mod its length as query and class); supports are drawn with
/// <c>np.random.choice(·, 1, replace=False)</c> after <c>np.random.seed(0)</c> among the list's images of that class,
/// redrawing draws equal to the query. Episode masks keep VOC's void (255) as ignored, as HSNet's do.
/// </summary>
public static class Pascal5iEpisodes
{
    /// <summary>Number of folds.</summary>
    public const int FoldCount = 4;

    /// <summary>The label values (1..20) of the test classes of <paramref name="fold"/>: 5·fold + 1 … 5·fold + 5.</summary>
    public static IReadOnlyList<long> TestLabels(int fold)
    {
        EpisodeSampling.CheckFold(fold, FoldCount, "PASCAL-5i");
        return Enumerable.Range(5 * fold + 1, 5).Select(l => (long)l).ToArray();
    }

    /// <summary>Reads an HSNet fold list: (image id, class label 1..20) per line <c>&lt;id&gt;__&lt;label&gt;</c>.</summary>
    /// <exception cref="DatasetLayoutException">The file is missing or a line is malformed.</exception>
    public static IReadOnlyList<(string ImageId, long Label)> ReadFoldList(string path)
    {
        if (!File.Exists(path)) throw new DatasetLayoutException(path, "PASCAL-5i fold list not found");
        var entries = new List<(string, long)>();
        foreach (var (line, number) in File.ReadAllLines(path).Select((l, i) => (l.Trim(), i + 1)))
        {
            if (line.Length == 0) continue;
            int cut = line.LastIndexOf("__", StringComparison.Ordinal);
            if (cut <= 0 || !long.TryParse(line[(cut + 2)..], NumberStyles.None, CultureInfo.InvariantCulture, out long label) || label is < 1 or > 20)
            {
                throw new DatasetLayoutException(path, $"line {number} \"{line}\" is not <image id>__<class 1..20>");
            }
            entries.Add((line[..cut], label));
        }
        return entries;
    }

    /// <summary>Samples the test episodes of a fold from <paramref name="dataset"/> (normally the VOC "val" split).</summary>
    /// <exception cref="DatasetLayoutException">The fold list names an image the data set does not have.</exception>
    /// <exception cref="InvalidOperationException">The fold's list is empty, or one of its classes has a single image.</exception>
    public static EpisodeList Build(VocDataset dataset, Pascal5iOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new Pascal5iOptions();
        EpisodeSampling.CheckShots(options.Shots);
        EpisodeSampling.CheckEpisodeCount(options.EpisodeCount);
        var labels = TestLabels(options.Fold);
        var pairs = options.FoldListFile is null ? PairsFromMasks(dataset, labels) : PairsFromList(dataset, options.FoldListFile);
        if (pairs.Count == 0) throw new InvalidOperationException($"PASCAL-5i fold {options.Fold}: no image of {dataset.Name} has a class of the fold");
        var byClass = new Dictionary<long, List<int>>();
        foreach (var (index, label) in pairs)
        {
            if (!byClass.TryGetValue(label, out var list)) byClass[label] = list = [];
            if (!list.Contains(index)) list.Add(index);
        }
        var random = new NumpyRandomState(options.Seed);
        var episodes = new Episode[options.EpisodeCount];
        for (int e = 0; e < episodes.Length; e++)
        {
            var (query, label) = pairs[e % pairs.Count];
            string name = VocDataset.ClassNames[(int)label];
            var supports = EpisodeSampling.DrawSupports(random, byClass[label], query, options.Shots, $"PASCAL-5i class '{name}'");
            episodes[e] = EpisodeSampling.Make(dataset, query, supports, (int)label - 1, name, label);
        }
        return new EpisodeList(EpisodeProtocol.HsnetPascal5i, dataset.Name, options.Shots, options.Seed, options.Fold, episodes);
    }

    private static List<(int Index, long Label)> PairsFromList(VocDataset dataset, string path)
    {
        var indexById = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < dataset.Count; i++) indexById.TryAdd(dataset.Items[i].Id, i);
        return ReadFoldList(path).Select(p => indexById.TryGetValue(p.ImageId, out int i)
            ? (i, p.Label)
            : throw new DatasetLayoutException(path, $"image '{p.ImageId}' is not in {dataset.Name}")).ToList();
    }

    private static List<(int Index, long Label)> PairsFromMasks(VocDataset dataset, IReadOnlyList<long> labels)
    {
        var presence = ClassPresence.Of(dataset);
        var pairs = new List<(int, long)>();
        for (int i = 0; i < presence.Count; i++)
        {
            foreach (long label in presence[i].Where(labels.Contains)) pairs.Add((i, label));
        }
        return pairs;
    }
}
