using System.Text.Json.Nodes;
using Exemplar.Models.Segmentation;
using Exemplar.Torch;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.IO;

namespace Exemplar.Cli.Tests;

/// <summary><c>exemplar eval --model FILE</c> and <c>exemplar predict</c> with a small random-weight model file on written data.</summary>
public sealed class ModelCommandTests : CliTest
{
    /// <summary>A CamVid-classes model file with random weights (the scores do not matter, only what is written).</summary>
    private string ModelFile(int classes = 11, IReadOnlyList<string>? names = null)
    {
        string path = PathOf($"model{classes}.safetensors");
        LibTorch.ManualSeed(1);
        using var network = SegmentationZoo.Get("lraspp_mobilenetv2").Create(classes, null);
        names ??= classes == 11 ? CamVidDataset.ClassNames : [.. Enumerable.Range(0, classes).Select(i => $"class{i}")];
        SegmentationModelFile.Save(path, network, SegmentationModelInfo.For("lraspp_mobilenetv2", network, names, 255, "written", null));
        return path;
    }

    /// <summary>A CamVid-layout folder with two 64x64 val images: class-id stripes 0..10, and 11 (void) on some rows.</summary>
    private string CamVid()
    {
        string root = PathOf("camvid");
        Directory.CreateDirectory(Path.Combine(root, "val", "images"));
        Directory.CreateDirectory(Path.Combine(root, "val", "labels"));
        foreach (string name in new[] { "a", "b" })
        {
            Cli.SquareImage(Path.Combine(root, "val", "images", name + ".png"));
            Cli.IdMask(Path.Combine(root, "val", "labels", name + ".png"), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        }
        return root;
    }

    [Fact]
    public void EvalModelWritesEveryScoreAndAConfusionMatrixPicture()
    {
        string model = ModelFile(), data = CamVid(), json = PathOf("scores.json"), report = PathOf("report");
        var (code, output, error) = Cli.Run("eval", "--model", model, "--dataset", $"camvid:{data}", "--split", "val", "--json", json, "--report", report);
        Assert.True(code == 0, error);
        Assert.Contains("mIoU", output);
        Assert.Contains("bicyclist", output);

        var scores = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        foreach (string key in new[] { "model", "dataset", "images", "mIoU", "mDice", "aAcc", "mAcc", "per_class", "classes", "confusion_matrix", "model_file" })
        {
            Assert.True(scores.ContainsKey(key), $"no {key} in {scores}");
        }
        Assert.Equal(2, (int)scores["images"]!);
        Assert.Equal("CamVid (val)", (string)scores["dataset"]!);
        var perClass = scores["per_class"]!.AsArray();
        Assert.Equal(11, perClass.Count);
        Assert.All(perClass, c => Assert.True(c!["iou"] is not null && c["dice"] is not null && c["acc"] is not null, c!.ToJsonString()));
        Assert.Equal("sky", (string)perClass[0]!["name"]!);
        var matrix = scores["confusion_matrix"]!.AsArray();
        Assert.Equal(11, matrix.Count);
        long counted = matrix.Sum(row => row!.AsArray().Sum(v => (long)v!));
        // 64 rows in stripes of 12 ids: rows with id 11 (void) are not counted.
        int voidRows = Enumerable.Range(0, 64).Count(y => y % 12 == 11);
        Assert.Equal(2L * 64 * (64 - voidRows), counted);
        double aAcc = (double)scores["aAcc"]!;
        Assert.InRange(aAcc, 0, 1);

        string picture = Path.Combine(report, "confusion_matrix.png");
        var info = ImageReader.ReadInfo(File.ReadAllBytes(picture), picture);
        Assert.Equal(ImageFileFormat.Png, info.Format);
        Assert.True(info.Width > 11 * 36, $"{info.Width} pixels wide");
        Assert.Equal(File.ReadAllText(json), File.ReadAllText(Path.Combine(report, "scores.json")));

        // Nothing is overwritten without --force, and --force does.
        var again = Cli.Run("eval", "--model", model, "--dataset", $"camvid:{data}", "--json", json);
        Assert.Equal(1, again.Code);
        Assert.Contains("--force", again.Error);
        Assert.Equal(0, Cli.Run("eval", "--model", model, "--dataset", $"camvid:{data}", "--json", json, "--report", report, "--force").Code);
    }

    [Fact]
    public void EvalModelNamesWhatIsWrong()
    {
        string data = CamVid();
        string plain = PathOf("plain.safetensors");
        Exemplar.Torch.Serialization.SafeTensors.Save(plain, new Dictionary<string, Tensor> { ["w"] = Tensor.Zeros([2]) });
        var notModel = Cli.Run("eval", "--model", plain, "--dataset", $"camvid:{data}");
        Assert.Equal(1, notModel.Code);
        Assert.Contains(plain, notModel.Error);
        Assert.Contains("not an Exemplar segmentation model file", notModel.Error);

        var missing = Cli.Run("eval", "--model", PathOf("absent.safetensors"), "--dataset", $"camvid:{data}");
        Assert.Equal(1, missing.Code);
        Assert.Contains("absent.safetensors", missing.Error);

        var classes = Cli.Run("eval", "--model", ModelFile(4), "--dataset", $"camvid:{data}");
        Assert.Equal(1, classes.Code);
        Assert.Contains("11 classes", classes.Error);

        var kind = Cli.Run("eval", "--model", ModelFile(), "--dataset", $"camvd:{data}");
        Assert.Equal(1, kind.Code);
        Assert.Contains("camvid", kind.Error);
    }

    [Fact]
    public void EvalModelReadsCityscapes()
    {
        string root = PathOf("cityscapes");
        string city = Path.Combine(root, "leftImg8bit", "val", "ulm"), labels = Path.Combine(root, "gtFine", "val", "ulm");
        Directory.CreateDirectory(city);
        Directory.CreateDirectory(labels);
        Cli.SquareImage(Path.Combine(city, "ulm_000000_000019_leftImg8bit.png"));
        Cli.IdMask(Path.Combine(labels, "ulm_000000_000019_gtFine_labelIds.png"), 7, 8, 0, 26);
        string json = PathOf("city.json");
        var (code, _, error) = Cli.Run("eval", "--model", ModelFile(19, CityscapesDataset.ClassNames), "--dataset", $"cityscapes:{root}", "--json", json);
        Assert.True(code == 0, error);
        var scores = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        var truth = scores["per_class"]!.AsArray().Select(c => (long)c!["pixels"]!).ToArray();
        Assert.Equal(16 * 64, truth[0]);  // road (label id 7)
        Assert.Equal(16 * 64, truth[13]); // car (26)
        Assert.Equal(3 * 16 * 64, truth.Sum()); // unlabeled (0) is ignored
    }

    [Fact]
    public void EvalModelReadsAde20kWithZeroIgnored()
    {
        string root = PathOf("ADEChallengeData2016");
        Directory.CreateDirectory(Path.Combine(root, "images", "validation"));
        Directory.CreateDirectory(Path.Combine(root, "annotations", "validation"));
        Cli.SquareImage(Path.Combine(root, "images", "validation", "ADE_val_00000001.png"));
        Cli.IdMask(Path.Combine(root, "annotations", "validation", "ADE_val_00000001.png"), 0, 1, 150, 3);
        string json = PathOf("ade.json");
        var (code, _, error) = Cli.Run("eval", "--model", ModelFile(150, Ade20kDataset.ClassNames), "--dataset", $"ade20k:{PathOf("")}", "--json", json);
        Assert.True(code == 0, error);
        var truth = JsonNode.Parse(File.ReadAllText(json))!["per_class"]!.AsArray().Select(c => (long)c!["pixels"]!).ToArray();
        Assert.Equal(150, truth.Length);
        Assert.Equal(16 * 64, truth[0]);   // wall (stored 1)
        Assert.Equal(16 * 64, truth[149]); // flag (stored 150)
        Assert.Equal(3 * 16 * 64, truth.Sum()); // stored 0 is ignored
    }

    [Fact]
    public void PredictWritesLabelMapsAndOverlaysAndKeepsWhatExists()
    {
        string model = ModelFile(), images = PathOf("images"), output = PathOf("out");
        Directory.CreateDirectory(images);
        Cli.SquareImage(Path.Combine(images, "one.png"));
        Cli.SquareImage(Path.Combine(images, "two.png"));
        File.WriteAllText(Path.Combine(images, "notes.txt"), "not an image");

        var (code, _, error) = Cli.Run("predict", "--model", model, "--input", images, "--out", output, "--overlay");
        Assert.True(code == 0, error);
        Assert.Equal(["one.png", "one_overlay.png", "two.png", "two_overlay.png"], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using (var labels = ImageReader.ReadTensor(Path.Combine(output, "one.png")))
        {
            Assert.Equal([1, 64, 64], labels.Shape);
            Assert.All(labels.ToArray<byte>(), v => Assert.InRange(v, (byte)0, (byte)10));
        }
        using (var overlay = ImageReader.ReadTensor(Path.Combine(output, "one_overlay.png")))
        {
            Assert.Equal(3, overlay.Size(0));
            Assert.True(overlay.Size(1) > 64, "the legend goes below the image");
            Assert.Equal(64, overlay.Size(2));
        }

        byte[] before = File.ReadAllBytes(Path.Combine(output, "two.png"));
        File.WriteAllBytes(Path.Combine(output, "two.png"), [1, 2, 3]);
        var refused = Cli.Run("predict", "--model", model, "--input", images, "--out", output);
        Assert.Equal(1, refused.Code);
        Assert.Contains("--force", refused.Error);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(output, "two.png")));

        Assert.Equal(0, Cli.Run("predict", "--model", model, "--input", Path.Combine(images, "two.png"), "--out", output, "--force").Code);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(output, "two.png")));
    }

    [SharedFact("data/camvid/val/images/0016E5_07959.jpg", "data/camvid/val/labels/0016E5_07959.png")]
    public void EvalModelScoresTwoCamVidValImages()
    {
        // Two real val images copied into a small CamVid folder: whole-image test at 360x480 (rounded to 352x480).
        string shared = SharedFolder.PathOf("data/camvid/val"), root = PathOf("camvid-real");
        Directory.CreateDirectory(Path.Combine(root, "val", "images"));
        Directory.CreateDirectory(Path.Combine(root, "val", "labels"));
        foreach (string image in Directory.GetFiles(Path.Combine(shared, "images")).Order(StringComparer.Ordinal).Take(2))
        {
            string name = Path.GetFileName(image), stem = Path.GetFileNameWithoutExtension(image);
            File.Copy(image, Path.Combine(root, "val", "images", name));
            File.Copy(Path.Combine(shared, "labels", stem + ".png"), Path.Combine(root, "val", "labels", stem + ".png"));
        }
        string json = PathOf("camvid.json"), report = PathOf("camvid-report");
        var (code, _, error) = Cli.Run("eval", "--model", ModelFile(), "--dataset", $"camvid:{root}", "--json", json, "--report", report);
        Assert.True(code == 0, error);
        var scores = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        Assert.Equal(2, (int)scores["images"]!);
        Assert.InRange((double)scores["mIoU"]!, 0, 1);
        Assert.True(File.Exists(Path.Combine(report, "confusion_matrix.png")));
    }
}
