using Exemplar.InContext.Evaluation;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Episodes;

namespace Exemplar.InContext.Training;

/// <summary>Items of one data set that show one thing: examples and targets of an episode are drawn from one group.</summary>
/// <param name="Dataset">The data set.</param>
/// <param name="Name">What they show (class or sequence name), for logs.</param>
/// <param name="Label">The label of that thing in the items' label maps.</param>
/// <param name="Items">Indices of the items that show it.</param>
public sealed record EpisodeGroup(ISegmentationDataset Dataset, string Name, long Label, IReadOnlyList<int> Items);

/// <summary>One training data set, split into groups.</summary>
/// <param name="Name">The data set kind and side, e.g. <c>camvid (train)</c>.</param>
/// <param name="Groups">Its groups (at least one).</param>
public sealed record EpisodeSource(string Name, IReadOnlyList<EpisodeGroup> Groups)
{
    /// <summary>Smallest area (pixels) of a class in an item for that item to join the class's group.</summary>
    public const int MinPixels = 256;

    /// <summary>
    /// The train side of a data set (<see cref="EvaluationDataset.OpenDataset"/>) as groups: a video data set (DAVIS) by
    /// sequence, so that an episode's example and target are frames of one video; any other by class (the classes
    /// <see cref="EvaluationDataset.ExcludedClasses"/> names are left out), each holding the items where that class covers
    /// at least <see cref="MinPixels"/> pixels.
    /// </summary>
    /// <param name="spec">The data set.</param>
    /// <param name="heldOutFold">For COCO (coco-mini): the COCO-20i fold whose test classes form no group (null: none).</param>
    /// <exception cref="ArgumentException">The kind is evaluation-only, or no group could be formed.</exception>
    public static EpisodeSource Open(EvaluationDataset spec, int? heldOutFold = null)
    {
        var dataset = spec.OpenDataset(SplitSide.Train);
        var groups = new List<EpisodeGroup>();
        var heldOut = heldOutFold is { } fold && spec.Kind == DatasetKind.CocoMini ? Coco20iEpisodes.TestLabels(fold) : [];
        if (spec.Kind == DatasetKind.Davis2016)
        {
            foreach (var sequence in Enumerable.Range(0, dataset.Count).GroupBy(i => dataset.Items[i].Category ?? ""))
            {
                groups.Add(new EpisodeGroup(dataset, sequence.Key, 1, [.. sequence]));
            }
        }
        else
        {
            var presence = ClassPresence.Of(dataset, MinPixels);
            foreach (var c in dataset.Classes)
            {
                if (spec.ExcludedClasses.Contains(c.Id) || heldOut.Contains(c.Id) || c.Id == dataset.IgnoreLabel) continue;
                var items = Enumerable.Range(0, dataset.Count).Where(i => presence[i].Contains(c.Id)).ToList();
                if (items.Count > 0) groups.Add(new EpisodeGroup(dataset, c.Name, c.Id, items));
            }
        }
        if (groups.Count == 0) throw new ArgumentException($"{spec.KindName} at {spec.Root}: no class covers {MinPixels} pixels in any training item");
        string without = heldOut.Count > 0 ? $" without COCO-20i fold {heldOutFold}'s classes" : "";
        return new EpisodeSource($"{spec.KindName} ({dataset.Name}){without}", groups);
    }
}
