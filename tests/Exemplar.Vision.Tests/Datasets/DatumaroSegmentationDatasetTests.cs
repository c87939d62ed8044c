using Exemplar.Vision.Datasets;
using Exemplar.Vision.IO;
using Exemplar.Vision.Masks;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.Datasets;

/// <summary>Small data sets in Datumaro's Common Semantic Segmentation layout, as its documentation describes it.</summary>
public class DatumaroSegmentationDatasetTests
{
    private static readonly Rgba32 Black = new(0, 0, 0), Red = new(255, 0, 0), Blue = new(0, 0, 255);

    private const string ColorMeta = """
        {"label_map": {"0": "background", "1": "car", "2": "person"},
         "segmentation_colors": [[0, 0, 0], [255, 0, 0], [0, 0, 255]],
         "background_label": "0"}
        """;

    [Fact]
    public void ColourAndIdMasksOfTheFlatLayout()
    {
        using var folder = new Synthetic.TempFolder();
        DatasetFolders.Text(folder.PathOf("dataset_meta.json"), ColorMeta);
        DatasetFolders.Jpeg(folder.PathOf("images/img1.jpg"), 2, 3);
        DatasetFolders.RgbPng(folder.PathOf("masks/img1.png"), [[Black, Red, Red], [Blue, Blue, Black]]);
        DatasetFolders.Jpeg(folder.PathOf("images/street/img2.jpg"), 2, 2);
        DatasetFolders.GrayPng(folder.PathOf("masks/street/img2.png"), [[2, 0], [1, 255]]);
        DatasetFolders.Jpeg(folder.PathOf("images/unlabelled.jpg"), 2, 2); // no mask: not an item
        var dataset = new DatumaroSegmentationDataset(folder.Root);
        Assert.Equal(["img1", "street/img2"], dataset.Items.Select(i => i.Id));
        Assert.Equal(["background", "car", "person"], dataset.Classes.Select(c => c.Name));
        Assert.Equal(0L, dataset.Meta.BackgroundLabel);
        using (var sample = dataset.Load(0))
        {
            Assert.Equal([3, 2, 3], sample.Image.Shape);
            Assert.Equal([[0, 1, 1], [2, 2, 0]], DatasetFolders.Rows(sample.Mask));
        }
        // A single-channel mask stores ids; 255 is void.
        using var ids = dataset.LoadLabelMap(1);
        Assert.Equal([[2, 0], [1, 255]], DatasetFolders.Rows(ids));
    }

    [Fact]
    public void SubsetFoldersWithALabelListAndGeneratedColours()
    {
        using var folder = new Synthetic.TempFolder();
        foreach (string split in new[] { "train", "val" })
        {
            DatasetFolders.Text(folder.PathOf($"{split}/dataset_meta.json"), """{"labels": ["background", "road", "sky"]}""");
            DatasetFolders.Jpeg(folder.PathOf($"{split}/images/a.jpg"), 1, 3);
        }
        // Without segmentation_colors an RGB mask is read with Datumaro's generated colours (the VOC palette).
        var voc = ImagePalette.Voc;
        DatasetFolders.RgbPng(folder.PathOf("train/masks/a.png"), [[voc[2], voc[0], voc[1]]]);
        DatasetFolders.IndexedPng(folder.PathOf("val/masks/a.png"), [[1, 1, 2]]);
        var e = Assert.Throws<DatasetLayoutException>(() => new DatumaroSegmentationDataset(folder.Root));
        Assert.Contains("train, val", e.Message);
        Assert.Equal(["train", "val"], DatumaroSegmentationDataset.ListSplits(folder.Root));
        var train = new DatumaroSegmentationDataset(folder.Root, new DatumaroSegmentationOptions { Split = "train" });
        Assert.Equal("Datumaro segmentation (train)", train.Name);
        using var trainLabels = train.LoadLabelMap(0);
        Assert.Equal([[2, 0, 1]], DatasetFolders.Rows(trainLabels));
        var val = new DatumaroSegmentationDataset(folder.Root, new DatumaroSegmentationOptions { Split = "val" });
        using var valLabels = val.LoadLabelMap(0);
        Assert.Equal([[1, 1, 2]], DatasetFolders.Rows(valLabels));
    }

    [Fact]
    public void PrefixesAreNotPartOfTheId()
    {
        using var folder = new Synthetic.TempFolder();
        DatasetFolders.Text(folder.PathOf("dataset_meta.json"), """{"labels": ["bg", "fg"]}""");
        DatasetFolders.Jpeg(folder.PathOf("images/img_001.jpg"), 1, 2);
        DatasetFolders.GrayPng(folder.PathOf("masks/mask_001.png"), [[0, 1]]);
        DatasetFolders.GrayPng(folder.PathOf("masks/other.png"), [[0, 1]]);
        var dataset = new DatumaroSegmentationDataset(folder.Root, new DatumaroSegmentationOptions { ImagePrefix = "img_", MaskPrefix = "mask_" });
        Assert.Equal(["001"], dataset.Items.Select(i => i.Id));
    }

    [Fact]
    public void LayoutAndValueErrorsAreNamed()
    {
        using var folder = new Synthetic.TempFolder();
        Assert.Throws<DatasetLayoutException>(() => new DatumaroSegmentationDataset(folder.Root)); // no meta file
        DatasetFolders.Text(folder.PathOf("dataset_meta.json"), """{"label_map": {"0": "bg", "1": "car"}, "segmentation_colors": [[0, 0, 0]]}""");
        var colours = Assert.Throws<DatasetLayoutException>(() => new DatumaroSegmentationDataset(folder.Root));
        Assert.Contains("1 colours for 2 classes", colours.Message);
        DatasetFolders.Text(folder.PathOf("dataset_meta.json"), ColorMeta);
        DatasetFolders.Jpeg(folder.PathOf("images/green.jpg"), 1, 1);
        DatasetFolders.RgbPng(folder.PathOf("masks/lonely.png"), [[Black]]);
        var orphan = Assert.Throws<DatasetLayoutException>(() => new DatumaroSegmentationDataset(folder.Root));
        Assert.EndsWith("lonely.png", orphan.Path);
        DatasetFolders.Jpeg(folder.PathOf("images/lonely.jpg"), 1, 1);
        DatasetFolders.RgbPng(folder.PathOf("masks/green.png"), [[new Rgba32(0, 255, 0)]]);
        DatasetFolders.Jpeg(folder.PathOf("images/seven.jpg"), 1, 1);
        DatasetFolders.GrayPng(folder.PathOf("masks/seven.png"), [[7]]);
        var dataset = new DatumaroSegmentationDataset(folder.Root);
        var green = Assert.Throws<ImageFormatException>(() => dataset.Load(0));
        Assert.EndsWith("green.png", green.FilePath);
        Assert.Contains("(0, 255, 0)", green.Message);
        var seven = Assert.Throws<ImageFormatException>(() => dataset.Load(2));
        Assert.Contains("class id 7", seven.Message);
        var lenient = new DatumaroSegmentationDataset(folder.Root, new DatumaroSegmentationOptions { UnknownColors = UnknownColorPolicy.Ignore });
        using var ignored = lenient.LoadLabelMap(0);
        Assert.Equal([[255]], DatasetFolders.Rows(ignored));
    }
}
