using Exemplar.Vision.Datasets;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.Datasets;

/// <summary>A tiny PASCAL VOC 2012 layout written with the project's encoders.</summary>
public class VocDatasetTests
{
    internal static void WriteVoc(string root)
    {
        // 2007_000001: aeroplane (1) with a void border; 2007_000002: cat (8) and person (15); 2007_000003: dog (12).
        DatasetFolders.Jpeg(Path.Combine(root, "JPEGImages/2007_000001.jpg"), 3, 3);
        DatasetFolders.IndexedPng(Path.Combine(root, "SegmentationClass/2007_000001.png"), [[0, 255, 0], [255, 1, 255], [0, 255, 0]]);
        DatasetFolders.Jpeg(Path.Combine(root, "JPEGImages/2007_000002.jpg"), 2, 2);
        DatasetFolders.IndexedPng(Path.Combine(root, "SegmentationClass/2007_000002.png"), [[8, 8], [15, 0]]);
        DatasetFolders.Jpeg(Path.Combine(root, "JPEGImages/2007_000003.jpg"), 2, 2);
        DatasetFolders.IndexedPng(Path.Combine(root, "SegmentationClass/2007_000003.png"), [[12, 12], [0, 12]]);
        DatasetFolders.Jpeg(Path.Combine(root, "JPEGImages/2007_000004.jpg"), 2, 2);
        DatasetFolders.IndexedPng(Path.Combine(root, "SegmentationClass/2007_000004.png"), [[8, 0], [0, 0]]);
        DatasetFolders.Text(Path.Combine(root, "ImageSets/Segmentation/train.txt"), "2007_000001\n2007_000002\n");
        DatasetFolders.Text(Path.Combine(root, "ImageSets/Segmentation/val.txt"), "2007_000002\n2007_000003\n2007_000004\n");
    }

    [Fact]
    public void PaletteIndicesAreClassIdsAndVoidIsIgnored()
    {
        using var folder = new Synthetic.TempFolder();
        WriteVoc(folder.Root);
        var train = new VocDataset(folder.Root);
        Assert.Equal(["2007_000001", "2007_000002"], train.Items.Select(i => i.Id));
        Assert.Equal(21, train.Classes.Count);
        Assert.Equal("tvmonitor", train.Classes[20].Name);
        using var sample = train.Load(0);
        Assert.Equal([3, 3, 3], sample.Image.Shape);
        Assert.Equal([[0, 255, 0], [255, 1, 255], [0, 255, 0]], DatasetFolders.Rows(sample.Mask));
        var val = new VocDataset(folder.Root, new VocOptions { Split = "val" });
        Assert.Equal(3, val.Count);
    }

    [Fact]
    public void MissingFilesAndBadIdsAreNamed()
    {
        using var folder = new Synthetic.TempFolder();
        WriteVoc(folder.Root);
        DatasetFolders.Text(folder.PathOf("ImageSets/Segmentation/broken.txt"), "2007_000001\n2007_000099\n");
        var missing = Assert.Throws<DatasetLayoutException>(() => new VocDataset(folder.Root, new VocOptions { Split = "broken" }));
        Assert.Contains("2007_000099", missing.Message);
        Assert.Throws<DatasetLayoutException>(() => new VocDataset(folder.Root, new VocOptions { Split = "test" }));
        DatasetFolders.IndexedPng(folder.PathOf("SegmentationClass/2007_000003.png"), [[30, 12], [0, 12]]);
        var val = new VocDataset(folder.Root, new VocOptions { Split = "val" });
        var bad = Assert.Throws<ImageFormatException>(() => val.Load(1));
        Assert.EndsWith("2007_000003.png", bad.FilePath);
    }
}
