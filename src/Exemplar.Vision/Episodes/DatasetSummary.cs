using System.Globalization;
using System.Text;
using Exemplar.Vision.Datasets;

namespace Exemplar.Vision.Episodes;

/// <summary>One line of a <see cref="DatasetSummary"/>: what a data set holds and the episodes built from it.</summary>
/// <param name="Dataset">The data set's name.</param>
/// <param name="Images">Items (image files).</param>
/// <param name="Masks">Mask files, or for annotation-based data sets (COCO) the instance annotations.</param>
/// <param name="Classes">Classes of the label maps (background included, ignore label not).</param>
/// <param name="Episodes">Episodes built, summed over <paramref name="EpisodeLists"/>.</param>
/// <param name="EpisodeLists">How the episodes were built: "protocol, K-shot, seed s[, fold f]: n" per list.</param>
public sealed record DatasetSummaryRow(string Dataset, int Images, int Masks, int Classes, int Episodes, IReadOnlyList<string> EpisodeLists);

/// <summary>Counts of data sets and their episodes, for reports (no console output: format with <see cref="ToMarkdown"/>).</summary>
public static class DatasetSummary
{
    /// <summary>The counts of <paramref name="dataset"/> and of the episode lists built from it.</summary>
    public static DatasetSummaryRow Of(ISegmentationDataset dataset, params EpisodeList[] episodeLists)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        int masks = dataset is CocoInstancesDataset coco
            ? Enumerable.Range(0, coco.Count).Sum(i => coco.InstancesOf(i).Count)
            : dataset.Items.Count(i => i.MaskPath is not null);
        var lists = episodeLists.Select(Describe).ToArray();
        return new DatasetSummaryRow(dataset.Name, dataset.Count, masks, dataset.Classes.Count, episodeLists.Sum(l => l.Count), lists);
    }

    /// <summary>"HsnetCoco20i, 1-shot, seed 0, fold 2: 1000 episodes".</summary>
    public static string Describe(EpisodeList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        string fold = list.Fold is int f ? $", fold {f}" : "";
        return string.Create(CultureInfo.InvariantCulture, $"{list.Protocol}, {list.Shots}-shot, seed {list.Seed}{fold}: {list.Count} episodes");
    }

    /// <summary>A Markdown table of <paramref name="rows"/>.</summary>
    public static string ToMarkdown(IEnumerable<DatasetSummaryRow> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| data set | images | masks | classes | episodes | built with |");
        text.AppendLine("|---|---:|---:|---:|---:|---|");
        foreach (var r in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Dataset} | {r.Images} | {r.Masks} | {r.Classes} | {r.Episodes} | {string.Join("; ", r.EpisodeLists)} |");
        }
        return text.ToString();
    }
}
