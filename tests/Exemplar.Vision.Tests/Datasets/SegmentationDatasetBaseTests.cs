using Exemplar.Torch;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.Datasets;

/// <summary>The errors every loader shares, on a small CamVid-layout folder.</summary>
public class SegmentationDatasetBaseTests
{
    private static Synthetic.TempFolder CamVidFolder()
    {
        var folder = new Synthetic.TempFolder();
        DatasetFolders.Jpeg(folder.PathOf("train/images/a.jpg"), 2, 3);
        DatasetFolders.GrayPng(folder.PathOf("train/labels/a.png"), [[0, 1, 11], [3, 3, 10]]);
        DatasetFolders.Jpeg(folder.PathOf("train/images/b.jpg"), 2, 3);
        DatasetFolders.GrayPng(folder.PathOf("train/labels/b.png"), [[0, 0], [0, 0]]);
        return folder;
    }

    [Fact]
    public void LoadsLazilyAndChecksSizes()
    {
        using var folder = CamVidFolder();
        var camvid = new CamVidDataset(folder.Root);
        using (var a = camvid.Load(0))
        {
            Assert.Equal(DType.UInt8, a.Image.DType);
            Assert.Equal([[0, 1, 255], [3, 3, 10]], DatasetFolders.Rows(a.Mask));
            Assert.Equal(folder.PathOf("train/images/a.jpg"), a.Metadata!.SourceId);
        }
        var mismatch = Assert.Throws<ImageFormatException>(() => camvid.Load(1));
        Assert.Contains("b.png", mismatch.Message);
        Assert.Contains("b.jpg", mismatch.Message);
        Assert.Contains("2x2", mismatch.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => camvid.Load(2));
        Assert.Contains("2 items", range.Message);
    }

    [Fact]
    public void UnreadableAndVanishedFilesAreNamed()
    {
        using var folder = CamVidFolder();
        var camvid = new CamVidDataset(folder.Root);
        File.WriteAllBytes(folder.PathOf("train/images/a.jpg"), [0xFF, 0xD8, 0xFF, 0x00, 0x01]);
        var corrupt = Assert.Throws<ImageFormatException>(() => camvid.Load(0));
        Assert.Equal(folder.PathOf("train/images/a.jpg"), corrupt.FilePath);
        File.Delete(folder.PathOf("train/labels/b.png"));
        var gone = Assert.Throws<FileNotFoundException>(() => camvid.Load(1));
        Assert.Contains("b.png", gone.Message);
    }

    [Fact]
    public void MissingPartnersAndEmptyFoldersAreLayoutErrors()
    {
        using var folder = new Synthetic.TempFolder();
        Directory.CreateDirectory(folder.PathOf("train/images"));
        Directory.CreateDirectory(folder.PathOf("train/labels"));
        var empty = Assert.Throws<DatasetLayoutException>(() => new CamVidDataset(folder.Root));
        Assert.Equal(folder.Root, empty.Path);
        Assert.Contains("no items", empty.Message);
        DatasetFolders.Jpeg(folder.PathOf("train/images/c.jpg"), 2, 2);
        var partner = Assert.Throws<DatasetLayoutException>(() => new CamVidDataset(folder.Root));
        Assert.Equal(folder.PathOf("train/labels/c.png"), partner.Path);
        Assert.Contains("c.jpg", partner.Message);
        var root = Assert.Throws<DatasetLayoutException>(() => new CamVidDataset(folder.PathOf("nowhere")));
        Assert.Contains("nowhere", root.Message);
    }

    [Fact]
    public void NaturalOrderPutsNumbersByValue()
    {
        string[] names = ["10", "b", "2", "a", "1"];
        Array.Sort(names, DatasetFiles.CompareNatural);
        Assert.Equal(["1", "2", "10", "a", "b"], names);
    }
}
