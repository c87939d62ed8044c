using Exemplar.Vision.Datasets;
using Exemplar.Vision.Episodes;
using Exemplar.Vision.Tests.Datasets;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.Episodes;

public class Pascal5iEpisodesTests
{
    /// <summary>The tiny VOC of <see cref="VocDatasetTests"/>, with a val list of six images: four with a cat (8), two with a dog (12).</summary>
    private static VocDataset Val(Synthetic.TempFolder folder)
    {
        VocDatasetTests.WriteVoc(folder.Root);
        foreach (var (id, label) in new[] { ("2007_000005", 8), ("2007_000006", 8), ("2007_000007", 12) })
        {
            DatasetFolders.Jpeg(folder.PathOf($"JPEGImages/{id}.jpg"), 2, 2);
            DatasetFolders.IndexedPng(folder.PathOf($"SegmentationClass/{id}.png"), [[label, 0], [0, 255]]);
        }
        DatasetFolders.Text(folder.PathOf("ImageSets/Segmentation/val.txt"), "2007_000002\n2007_000003\n2007_000004\n2007_000005\n2007_000006\n2007_000007\n");
        return new VocDataset(folder.Root, new VocOptions { Split = "val" });
    }

    [Fact]
    public void FoldsAreFiveConsecutiveClasses()
    {
        Assert.Equal([1L, 2, 3, 4, 5], Pascal5iEpisodes.TestLabels(0));
        Assert.Equal([16L, 17, 18, 19, 20], Pascal5iEpisodes.TestLabels(3));
    }

    [Fact]
    public void EpisodesCycleThroughTheFoldPairsWithNumPySupports()
    {
        using var folder = new Synthetic.TempFolder();
        var val = Val(folder);
        // Fold 1 (classes 6..10) pairs from the masks: the four cat images (items 0, 2, 3, 4). NumPy, seed 0:
        // supports 3, 0, 4, 2, 2, 0 for queries 0, 2, 3, 4, 0, 2.
        var episodes = Pascal5iEpisodes.Build(val, new Pascal5iOptions { Fold = 1, EpisodeCount = 6 });
        Assert.Equal([(0, 3), (2, 0), (3, 4), (4, 2), (0, 2), (2, 0)], episodes.Episodes.Select(e => (e.Query.Index, e.Support[0].Index)));
        Assert.All(episodes.Episodes, e => Assert.Equal((7, "cat", 8L), (e.ClassId, e.ClassName, e.ClassLabel)));
        var twoShot = Pascal5iEpisodes.Build(val, new Pascal5iOptions { Fold = 1, EpisodeCount = 3, Shots = 2 });
        Assert.Equal([[3, 4], [0, 0], [0, 2]], twoShot.Episodes.Select(e => e.Support.Select(s => s.Index).ToArray()));
        Assert.Equal(1000, Pascal5iEpisodes.Build(val, new Pascal5iOptions { Fold = 1 }).Count);
    }

    [Fact]
    public void HsnetFoldListsAreFollowedInTheirOrder()
    {
        using var folder = new Synthetic.TempFolder();
        var val = Val(folder);
        string list = DatasetFolders.Text(folder.PathOf("fold2.txt"), "2007_000007__12\n2007_000003__12\n");
        var episodes = Pascal5iEpisodes.Build(val, new Pascal5iOptions { Fold = 2, EpisodeCount = 3, FoldListFile = list });
        Assert.Equal([("2007_000007", "2007_000003"), ("2007_000003", "2007_000007"), ("2007_000007", "2007_000003")],
            episodes.Episodes.Select(e => (e.Query.Id, e.Support[0].Id)));
        Assert.Equal("dog", episodes.Episodes[0].ClassName);
        string bad = DatasetFolders.Text(folder.PathOf("bad.txt"), "2007_000099__12\n");
        var missing = Assert.Throws<DatasetLayoutException>(() => Pascal5iEpisodes.Build(val, new Pascal5iOptions { Fold = 2, FoldListFile = bad }));
        Assert.Contains("2007_000099", missing.Message);
        // From the masks, fold 2's person (15) is in one image only: no support can be drawn for it.
        var single = Assert.Throws<InvalidOperationException>(() => Pascal5iEpisodes.Build(val, new Pascal5iOptions { Fold = 2 }));
        Assert.Contains("person", single.Message);
    }
}
