using System.Text;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Episodes;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.Episodes;

public class Lvis92iEpisodesTests
{
    /// <summary>
    /// An LVIS-style file: 12 images, 21 categories. Category c ≤ 20 is in images c mod 12 and (c + 1) mod 12; category 1
    /// also in image 5; category 21 in image 0 only.
    /// </summary>
    private static CocoInstancesDataset Lvis(Synthetic.TempFolder folder)
    {
        var json = new StringBuilder("{\"images\": [");
        json.AppendJoin(", ", Enumerable.Range(0, 12).Select(i => $"{{\"id\": {i + 1}, \"coco_url\": \"http://images.cocodataset.org/val2017/i{i:D2}.jpg\", \"height\": 2, \"width\": 2}}"));
        json.Append("], \"categories\": [");
        json.AppendJoin(", ", Enumerable.Range(1, 21).Select(c => $"{{\"id\": {c}, \"name\": \"c{c}\"}}"));
        json.Append("], \"annotations\": [");
        var annotations = new List<(int Image, int Category)>();
        for (int c = 1; c <= 20; c++) annotations.AddRange([(c % 12, c), ((c + 1) % 12, c)]);
        annotations.AddRange([(5, 1), (0, 21)]);
        json.AppendJoin(", ", annotations.Select((a, k) =>
            $"{{\"id\": {k + 1}, \"image_id\": {a.Image + 1}, \"category_id\": {a.Category}, \"segmentation\": [[0, 0, 2, 0, 2, 2, 0, 2]]}}"));
        json.Append("]}");
        DatasetFolders.Text(folder.PathOf("lvis_v1_val.json"), json.ToString());
        for (int i = 0; i < 12; i++) DatasetFolders.Jpeg(folder.PathOf($"val2017/i{i:D2}.jpg"), 2, 2);
        return new CocoInstancesDataset(folder.Root, new CocoOptions { AnnotationFile = "lvis_v1_val.json", ImageFolder = "." });
    }

    [Fact]
    public void ClassesWithMoreThanKImagesAreDealtRoundRobin()
    {
        using var folder = new Synthetic.TempFolder();
        var lvis = Lvis(folder);
        // K = 1: categories 1..20 qualify (21 has one image); 20 / 10 = 2 per fold: positions f and f + 10.
        Assert.Equal([1L, 11], Lvis92iEpisodes.TestLabels(lvis, 0));
        Assert.Equal([10L, 20], Lvis92iEpisodes.TestLabels(lvis, 9));
        // K = 2: only category 1 has more than two images, fewer than one per fold.
        Assert.Empty(Lvis92iEpisodes.TestLabels(lvis, 0, shots: 2));
        Assert.Throws<InvalidOperationException>(() => Lvis92iEpisodes.Build(lvis, new Lvis92iOptions { Shots = 2 }));
    }

    [Fact]
    public void EpisodesCycleThroughTheFoldClasses()
    {
        using var folder = new Synthetic.TempFolder();
        var lvis = Lvis(folder);
        var episodes = Lvis92iEpisodes.Build(lvis, new Lvis92iOptions { Fold = 3, EpisodeCount = 6 });
        Assert.Equal(EpisodeProtocol.MatcherLvis92i, episodes.Protocol);
        Assert.Equal([0, 1, 0, 1, 0, 1], episodes.Episodes.Select(e => e.ClassId));
        Assert.Equal(["c4", "c14", "c4"], episodes.Episodes.Take(3).Select(e => e.ClassName));
        foreach (var e in episodes.Episodes)
        {
            // Category c is in images c mod 12 and (c + 1) mod 12: the query is one, the support the other.
            int c = (int)e.ClassLabel;
            var images = new[] { $"val2017/i{c % 12:D2}", $"val2017/i{(c + 1) % 12:D2}" };
            Assert.Equal(images.Order(), new[] { e.Query.Id, e.Support[0].Id }.Order());
        }
        Assert.Equal(2300, Lvis92iEpisodes.Build(lvis).Count);
    }
}
