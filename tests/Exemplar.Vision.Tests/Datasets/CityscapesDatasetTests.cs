using Exemplar.Vision.Datasets;
using Exemplar.Vision.IO;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.Datasets;

public class CityscapesDatasetTests
{
    /// <summary>A 2 × 3 RGB PNG (Cityscapes images are PNG).</summary>
    private static void Png(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = Synthetic.Smooth(3, 2, 3);
        ImageWriter.WritePng(path, image, overwrite: true);
    }

    private static void WriteCityscapes(string root)
    {
        // label ids: 7 road → 0, 26 car → 13, 33 bicycle → 18; 0 unlabeled, 9 parking and 29 caravan are not evaluated.
        Png(Path.Combine(root, "leftImg8bit/val/aachen/aachen_000000_000019_leftImg8bit.png"));
        DatasetFolders.GrayPng(Path.Combine(root, "gtFine/val/aachen/aachen_000000_000019_gtFine_labelIds.png"), [[7, 26, 33], [0, 9, 29]]);
        Png(Path.Combine(root, "leftImg8bit/val/bremen/bremen_000001_000019_leftImg8bit.png"));
        DatasetFolders.GrayPng(Path.Combine(root, "gtFine/val/bremen/bremen_000001_000019_gtFine_labelIds.png"), DatasetFolders.Fill(2, 3, 23));
        // Other gtFine files (colour, instance ids, polygons) lie beside the label ids and are not items.
        DatasetFolders.GrayPng(Path.Combine(root, "gtFine/val/bremen/bremen_000001_000019_gtFine_instanceIds.png"), DatasetFolders.Fill(2, 3, 1));
    }

    [Fact]
    public void LabelIdsBecomeTheNineteenTrainIds()
    {
        using var folder = new Synthetic.TempFolder();
        WriteCityscapes(folder.Root);
        var val = new CityscapesDataset(folder.Root, new CityscapesOptions { Split = "val" });
        Assert.Equal(["val/aachen/aachen_000000_000019", "val/bremen/bremen_000001_000019"], val.Items.Select(i => i.Id));
        Assert.Equal(19, val.Classes.Count);
        Assert.Equal("bicycle", val.Classes[18].Name);
        Assert.Equal(255, val.IgnoreLabel);
        using var sample = val.Load(0);
        Assert.Equal([3, 2, 3], sample.Image.Shape);
        Assert.Equal([[0, 13, 18], [255, 255, 255]], DatasetFolders.Rows(sample.Mask));
        using var sky = val.LoadLabelMap(1);
        Assert.Equal([[10, 10, 10], [10, 10, 10]], DatasetFolders.Rows(sky));
    }

    [Fact]
    public void TheTableMapsEveryLabelId()
    {
        Assert.Equal(34, CityscapesDataset.TrainIds.Count);
        Assert.Equal(Enumerable.Range(0, 19).Select(i => (long)i), CityscapesDataset.TrainIds.Where(t => t != 255));
    }

    [Fact]
    public void MissingFoldersAndLabelsAreNamed()
    {
        using var folder = new Synthetic.TempFolder();
        WriteCityscapes(folder.Root);
        var noSplit = Assert.Throws<DatasetLayoutException>(() => new CityscapesDataset(folder.Root, new CityscapesOptions { Split = "test" }));
        Assert.Contains("leftImg8bit", noSplit.Message);
        File.Delete(folder.PathOf("gtFine/val/aachen/aachen_000000_000019_gtFine_labelIds.png"));
        var noLabel = Assert.Throws<DatasetLayoutException>(() => new CityscapesDataset(folder.Root, new CityscapesOptions { Split = "val" }));
        Assert.Contains("aachen_000000_000019_gtFine_labelIds.png", noLabel.Message);
    }
}
