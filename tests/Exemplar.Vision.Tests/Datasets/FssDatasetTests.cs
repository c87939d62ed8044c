using Exemplar.Torch;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.Datasets;

public class FssDatasetTests
{
    private const string Mask = "data/samples/fss1000/eiffel_tower/1.png";

    [SharedFact(Mask, "data/samples/fss1000/splits/test.txt")]
    public void SharedSampleLoadsAsBinaryMasks()
    {
        var fss = new FssDataset(SharedFolder.PathOf("data/samples/fss1000"), new FssOptions { Split = FssSplit.All });
        Assert.Equal(5, fss.Count);
        Assert.Equal(["eiffel_tower"], fss.Categories);
        Assert.Equal(["eiffel_tower/1", "eiffel_tower/2", "eiffel_tower/3", "eiffel_tower/4", "eiffel_tower/5"], fss.Items.Select(i => i.Id));
        Assert.Equal(0, fss.CategoryIdOf("eiffel_tower"));
        using var sample = fss.Load(0);
        Assert.Equal([3, 224, 224], sample.Image.Shape);
        Assert.Equal([224, 224], sample.Mask.Shape);
        Assert.Equal(DType.Int64, sample.Mask.DType);
        // The sample's masks store 0/1 (not 0/255): 900 foreground pixels in 1.png (counted with PIL).
        using var sum = sample.Mask.Sum();
        Assert.Equal(900, sum.Item<long>());
        using var max = sample.Mask.Max();
        Assert.Equal(1, max.Item<long>());
    }

    [SharedFact(Mask)]
    public void HsnetThresholdEmptiesZeroOneMasks()
    {
        var fss = new FssDataset(SharedFolder.PathOf("data/samples/fss1000"), new FssOptions { Split = FssSplit.All, AcceptZeroOneMasks = false });
        using var labels = fss.LoadLabelMap(0);
        using var sum = labels.Sum();
        Assert.Equal(0, sum.Item<long>());
    }

    [SharedFact("data/samples/fss1000/splits/test.txt", "data/samples/fss1000/splits/trn.txt", "data/samples/fss1000/splits/val.txt")]
    public void SplitFilesListTheStandardClasses()
    {
        string splits = SharedFolder.PathOf("data/samples/fss1000/splits");
        Assert.Equal(520, FssDataset.ReadSplitFile(Path.Combine(splits, "trn.txt")).Count);
        Assert.Equal(240, FssDataset.ReadSplitFile(Path.Combine(splits, "val.txt")).Count);
        Assert.Equal(240, FssDataset.ReadSplitFile(Path.Combine(splits, "test.txt")).Count);
        // The sample's class is in no split, so the test split's folders are missing: the error names the first one.
        var e = Assert.Throws<DatasetLayoutException>(() => new FssDataset(SharedFolder.PathOf("data/samples/fss1000")));
        Assert.Contains("test.txt", e.Message);
        Assert.EndsWith("abe's_flyingfish", e.Path);
    }

    [Fact]
    public void SplitClassesAreSortedAndNumberedFromTheSplitOffset()
    {
        using var folder = new Synthetic.TempFolder();
        foreach (string c in new[] { "zebra", "apple" })
        {
            foreach (int n in new[] { 1, 2, 10 })
            {
                DatasetFolders.Jpeg(folder.PathOf($"{c}/{n}.jpg"), 4, 4);
                DatasetFolders.GrayPng(folder.PathOf($"{c}/{n}.png"), DatasetFolders.Fill(4, 4, 255));
            }
        }
        DatasetFolders.Text(folder.PathOf("splits/val.txt"), "zebra\napple\n");
        var fss = new FssDataset(folder.Root, new FssOptions { Split = FssSplit.Val });
        Assert.Equal(["apple", "zebra"], fss.Categories);
        Assert.Equal(520, fss.CategoryIdOf("apple"));
        Assert.Equal(521, fss.CategoryIdOf("zebra"));
        // HSNet lists images with sorted(glob): "10" sorts before "2".
        Assert.Equal(["apple/1", "apple/10", "apple/2", "zebra/1", "zebra/10", "zebra/2"], fss.Items.Select(i => i.Id));
        Assert.All(fss.Items, i => Assert.Equal(i.Id[..i.Id.IndexOf('/')], i.Category));
    }

    [Fact]
    public void MissingMaskIsNamed()
    {
        using var folder = new Synthetic.TempFolder();
        DatasetFolders.Jpeg(folder.PathOf("cat/1.jpg"), 4, 4);
        var e = Assert.Throws<DatasetLayoutException>(() => new FssDataset(folder.Root, new FssOptions { Split = FssSplit.All }));
        Assert.Equal(folder.PathOf("cat/1.png"), e.Path);
        Assert.Contains("mask of", e.Message);
    }
}
