using Exemplar.Torch;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Episodes;
using Exemplar.Vision.Tests.Datasets;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.Episodes;

public class EpisodeLoaderTests
{
    private static long Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return Tensor.LiveCount;
    }

    [Fact]
    public void MasksAreTheClassWithVoidKept()
    {
        using var folder = new Synthetic.TempFolder();
        VocDatasetTests.WriteVoc(folder.Root);
        var train = new VocDataset(folder.Root);
        var episode = new Episode(
            new EpisodeItem(0, "2007_000001", "JPEGImages/2007_000001.jpg", "SegmentationClass/2007_000001.png"),
            [new EpisodeItem(1, "2007_000002", "JPEGImages/2007_000002.jpg", "SegmentationClass/2007_000002.png")], 0, "aeroplane", 1);
        long before = Settled();
        using (var loaded = EpisodeLoader.Load(train, episode))
        {
            Assert.Equal([3, 3, 3], loaded.Query.Image.Shape);
            Assert.Equal([[0, 255, 0], [255, 1, 255], [0, 255, 0]], DatasetFolders.Rows(loaded.Query.Mask));
            Assert.Equal([[0, 0], [0, 0]], DatasetFolders.Rows(Assert.Single(loaded.Support).Mask));
        }
        Assert.Equal(before, Settled());
        var wrong = episode with { Query = episode.Query with { Id = "2007_000009" } };
        var e = Assert.Throws<InvalidOperationException>(() => EpisodeLoader.Load(train, wrong));
        Assert.Contains("2007_000009", e.Message);
    }

    [Fact]
    public void BinaryMaskKeepsTheIgnoreLabel()
    {
        using var labels = Tensor.From(new long[] { 3, 1, 255, 3 }, 2, 2);
        using var mask = EpisodeLoader.BinaryMask(labels, 3, 255);
        Assert.Equal([[1, 0], [255, 1]], DatasetFolders.Rows(mask));
    }

    [SharedFact("data/coco-mini/annotations/instances_val2017.json")]
    public void CocoEpisodesUseWholeCategoryMasks()
    {
        var coco = new CocoInstancesDataset(SharedFolder.PathOf("data/coco-mini"), CocoOptions.ForSplit("val2017"));
        var episode = Coco20iEpisodes.Build(coco, new Coco20iOptions { EpisodeCount = 1 }).Episodes[0];
        using var loaded = EpisodeLoader.Load(coco, episode);
        var values = loaded.Query.Mask.ToArray<long>();
        Assert.Equal([0L, 1L], values.Distinct().Order());
        using var category = coco.LoadClassMask(episode.Query.Index, episode.ClassLabel);
        Assert.True(category.Equal(loaded.Query.Mask));
        Assert.Equal(loaded.Query.Image.Size(1), loaded.Query.Mask.Size(0));
    }
}
