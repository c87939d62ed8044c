using Exemplar.Vision.Datasets;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.Datasets;

public class Ade20kDatasetTests
{
    private static string WriteAde(string parent)
    {
        string root = Path.Combine(parent, "ADEChallengeData2016");
        DatasetFolders.Jpeg(Path.Combine(root, "images/training/ADE_train_00000001.jpg"), 2, 2);
        DatasetFolders.GrayPng(Path.Combine(root, "annotations/training/ADE_train_00000001.png"), [[0, 1], [150, 3]]);
        DatasetFolders.Jpeg(Path.Combine(root, "images/validation/ADE_val_00000001.jpg"), 2, 2);
        DatasetFolders.GrayPng(Path.Combine(root, "annotations/validation/ADE_val_00000001.png"), [[13, 13], [0, 0]]);
        return root;
    }

    [Fact]
    public void ZeroIsIgnoredAndClassesShiftDownByOne()
    {
        using var folder = new Synthetic.TempFolder();
        string root = WriteAde(folder.Root);
        var train = new Ade20kDataset(root);
        Assert.Equal(150, train.Classes.Count);
        Assert.Equal("wall", train.Classes[0].Name);
        Assert.Equal("flag", train.Classes[149].Name);
        Assert.Equal(["training/ADE_train_00000001"], train.Items.Select(i => i.Id));
        using var sample = train.Load(0);
        Assert.Equal([[255, 0], [149, 2]], DatasetFolders.Rows(sample.Mask));
    }

    [Fact]
    public void ValAndTheParentFolderAreAccepted()
    {
        using var folder = new Synthetic.TempFolder();
        WriteAde(folder.Root);
        var val = new Ade20kDataset(folder.Root, new Ade20kOptions { Split = "val" });
        Assert.Equal("validation", val.Split);
        using var labels = val.LoadLabelMap(0);
        Assert.Equal([[12, 12], [255, 255]], DatasetFolders.Rows(labels));
    }

    [Fact]
    public void AMissingAnnotationIsNamed()
    {
        using var folder = new Synthetic.TempFolder();
        string root = WriteAde(folder.Root);
        File.Delete(Path.Combine(root, "annotations/validation/ADE_val_00000001.png"));
        var e = Assert.Throws<DatasetLayoutException>(() => new Ade20kDataset(root, new Ade20kOptions { Split = "validation" }));
        Assert.Contains("ADE_val_00000001.png", e.Message);
    }
}
