using Exemplar.Torch;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.Datasets;

public class CocoInstancesDatasetTests
{
    private const string ValJson = "data/coco-mini/annotations/instances_val2017.json";

    // Image b.jpg is 3 rows x 4 columns. RLE counts run down the columns (position = column * 3 + row).
    // Annotation 10: cat (id 7) on column 0 and the top of column 1; 11: dog (id 2) on the top two pixels of column 1,
    // painted later so it wins the overlap; 12: a crowd of cats on column 3. Labels: dog 1, cat 2 (ids sorted).
    private const string Json = """
        {"images": [{"id": 1, "file_name": "b.jpg", "height": 3, "width": 4}, {"id": 2, "file_name": "a.jpg", "height": 2, "width": 2}],
         "categories": [{"id": 7, "name": "cat", "supercategory": "animal"}, {"id": 2, "name": "dog", "supercategory": "animal"}],
         "annotations": [
           {"id": 10, "image_id": 1, "category_id": 7, "iscrowd": 0, "area": 4, "segmentation": {"counts": [0, 4, 8], "size": [3, 4]}},
           {"id": 11, "image_id": 1, "category_id": 2, "iscrowd": 0, "area": 2, "segmentation": {"counts": [3, 2, 7], "size": [3, 4]}},
           {"id": 12, "image_id": 1, "category_id": 7, "iscrowd": 1, "area": 3, "segmentation": {"counts": [9, 3], "size": [3, 4]}}]}
        """;

    private static CocoInstancesDataset Open(Synthetic.TempFolder folder, CocoCrowdRegions crowd = CocoCrowdRegions.Category, string json = Json)
    {
        DatasetFolders.Text(folder.PathOf("annotations/instances_val.json"), json);
        if (!File.Exists(folder.PathOf("val/b.jpg"))) DatasetFolders.Jpeg(folder.PathOf("val/b.jpg"), 3, 4);
        if (!File.Exists(folder.PathOf("val/a.jpg"))) DatasetFolders.Jpeg(folder.PathOf("val/a.jpg"), 2, 2);
        return new CocoInstancesDataset(folder.Root, CocoOptions.ForSplit("val") with { CrowdRegions = crowd });
    }

    [Fact]
    public void LabelMapIsPaintedInFileOrder()
    {
        using var folder = new Synthetic.TempFolder();
        var coco = Open(folder);
        Assert.Equal(["a", "b"], coco.Items.Select(i => i.Id));
        Assert.Equal([new DatasetClass(0, "background"), new DatasetClass(1, "dog"), new DatasetClass(2, "cat")], coco.Classes);
        Assert.Equal(new CocoCategory(7, "cat", "animal", 2), coco.CategoryOfId(7));
        Assert.Empty(coco.Items[0].ClassIds!);
        Assert.Equal([1L, 2L], coco.Items[1].ClassIds!);
        Assert.Equal(1L, coco.ImageIdOf(1));
        using var sample = coco.Load(1);
        Assert.Equal([3, 3, 4], sample.Image.Shape);
        Assert.Equal([[2, 1, 0, 2], [2, 1, 0, 2], [2, 0, 0, 2]], DatasetFolders.Rows(sample.Mask));
        using var empty = coco.Load(0);
        Assert.Equal([[0, 0], [0, 0]], DatasetFolders.Rows(empty.Mask));
    }

    [Fact]
    public void CrowdRegionsCanBeIgnoredOrSkipped()
    {
        using var folder = new Synthetic.TempFolder();
        using var ignored = Open(folder, CocoCrowdRegions.Ignore).LoadLabelMap(1);
        Assert.Equal([[2, 1, 0, 255], [2, 1, 0, 255], [2, 0, 0, 255]], DatasetFolders.Rows(ignored));
        using var skipped = Open(folder, CocoCrowdRegions.Skip).LoadLabelMap(1);
        Assert.Equal([[2, 1, 0, 0], [2, 1, 0, 0], [2, 0, 0, 0]], DatasetFolders.Rows(skipped));
    }

    [Fact]
    public void InstanceAndCategoryMasksIgnoreOverlaps()
    {
        using var folder = new Synthetic.TempFolder();
        var coco = Open(folder, CocoCrowdRegions.Ignore);
        Assert.Equal([10L, 11L, 12L], coco.InstancesOf(1).Select(i => i.AnnotationId));
        Assert.True(coco.InstancesOf(1)[2].IsCrowd);
        using var cat = coco.LoadInstanceMask(1, 10);
        Assert.Equal(DType.UInt8, cat.DType);
        Assert.Equal([1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0], cat.ToArray<byte>().Select(b => (int)b));
        // The cat's full mask keeps the pixel the dog covers in the label map; its crowd is ignored here.
        using var cats = coco.LoadClassMask(1, 2);
        Assert.Equal([[1, 1, 0, 255], [1, 0, 0, 255], [1, 0, 0, 255]], DatasetFolders.Rows(cats));
        Assert.Throws<KeyNotFoundException>(() => coco.LoadInstanceMask(1, 99));
    }

    [Fact]
    public void LvisImagesAreFoundFromTheirCocoUrl()
    {
        using var folder = new Synthetic.TempFolder();
        string lvis = Json.Replace("\"file_name\": \"b.jpg\"", "\"coco_url\": \"http://images.cocodataset.org/val2017/b.jpg\"")
                          .Replace("\"file_name\": \"a.jpg\"", "\"coco_url\": \"http://images.cocodataset.org/train2017/a.jpg\"");
        DatasetFolders.Text(folder.PathOf("lvis_v1_val.json"), lvis);
        DatasetFolders.Jpeg(folder.PathOf("val2017/b.jpg"), 3, 4);
        DatasetFolders.Jpeg(folder.PathOf("train2017/a.jpg"), 2, 2);
        var dataset = new CocoInstancesDataset(folder.Root, new CocoOptions { AnnotationFile = "lvis_v1_val.json", ImageFolder = "." });
        Assert.Equal(["train2017/a", "val2017/b"], dataset.Items.Select(i => i.Id));
        using var labels = dataset.LoadLabelMap(1);
        Assert.Equal([[2, 1, 0, 2], [2, 1, 0, 2], [2, 0, 0, 2]], DatasetFolders.Rows(labels));
    }

    [Fact]
    public void BoxesAreReadFromTheBboxField()
    {
        using var folder = new Synthetic.TempFolder();
        var coco = Open(folder, json: Json.Replace("\"id\": 10, ", "\"id\": 10, \"bbox\": [0, 0, 1.5, 3], "));
        var instances = coco.InstancesOf(1);
        Assert.Equal(new Exemplar.Vision.Metrics.BoundingBox(0, 0, 1.5, 3), instances[0].Box);
        Assert.Null(instances[1].Box);
        foreach (var bad in new[] { "[0, 0, 1]", "[0, 0, -1, 3]", "\"box\"" })
        {
            var e = Assert.Throws<DatasetLayoutException>(() => Open(folder, json: Json.Replace("\"id\": 10, ", $"\"id\": 10, \"bbox\": {bad}, ")));
            Assert.Contains("annotation 10: \"bbox\"", e.Message);
        }
    }

    [Fact]
    public void BadAnnotationsAreNamed()
    {
        using var folder = new Synthetic.TempFolder();
        var unknown = Assert.Throws<DatasetLayoutException>(() => Open(folder, json: Json.Replace("\"category_id\": 2", "\"category_id\": 5")));
        Assert.Contains("annotation 11 has category 5", unknown.Message);
        Assert.EndsWith("instances_val.json", unknown.Path);
        var badRle = Open(folder, json: Json.Replace("[3, 2, 7]", "[3, 2, 6]"));
        var rle = Assert.Throws<ImageFormatException>(() => badRle.Load(1));
        Assert.Contains("annotation 11", rle.Message);
        Assert.Contains("b.jpg", rle.Message);
        var wrongSize = Open(folder, json: Json.Replace("\"height\": 2, \"width\": 2", "\"height\": 2, \"width\": 3"));
        var size = Assert.Throws<ImageFormatException>(() => wrongSize.Load(0));
        Assert.Contains("a.jpg", size.Message);
        Assert.Throws<DatasetLayoutException>(() => new CocoInstancesDataset(folder.Root, CocoOptions.ForSplit("test")));
    }

    [SharedFact(ValJson)]
    public void SharedMiniValHasEightyCategories()
    {
        var coco = new CocoInstancesDataset(SharedFolder.PathOf("data/coco-mini"), CocoOptions.ForSplit("val2017"));
        Assert.Equal(79, coco.Count);
        Assert.Equal(80, coco.Categories.Count);
        Assert.Equal(81, coco.Classes.Count);
        Assert.Equal("person", coco.CategoryOfLabel(1).Name);
        Assert.Equal(90, coco.Categories[^1].CategoryId);
        Assert.Equal(80, coco.Categories[^1].Label);
        Assert.Equal(624, Enumerable.Range(0, coco.Count).Sum(i => coco.InstancesOf(i).Count));
        Assert.Equal(5, Enumerable.Range(0, coco.Count).Sum(i => coco.InstancesOf(i).Count(a => a.IsCrowd)));
        Assert.All(Enumerable.Range(0, coco.Count).SelectMany(coco.InstancesOf), a => Assert.True(a.Box is { Width: > 0, Height: > 0 }));
        var train = new CocoInstancesDataset(SharedFolder.PathOf("data/coco-mini"), CocoOptions.ForSplit("train2017"));
        Assert.Equal(80, train.Count);
        Assert.Equal(80, coco.Items.Concat(train.Items).SelectMany(i => i.ClassIds!).Distinct().Count());
        using var sample = coco.Load(0);
        Assert.Equal("000000000139", coco.Items[0].Id);
        Assert.Equal([3, 426, 640], sample.Image.Shape);
        var present = sample.Mask.ToArray<long>().Distinct().Where(l => l != 0).Order().ToArray();
        Assert.All(present, l => Assert.Contains(l, coco.Items[0].ClassIds!));
        Assert.NotEmpty(present);
    }
}
