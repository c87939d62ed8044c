using System.Text.Json.Nodes;
using Exemplar.Models.Segmentation;
using Exemplar.Runtime;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.IO;

namespace Exemplar.Cli.Tests;

/// <summary>The CamVid model in models/ (model file and bundle) is what its README says and segments and scores CamVid val images.</summary>
public sealed class ShippedCamVidModelTests : CliTest
{
    private static string Models(string file) => Path.Combine(SharedFolder.RepositoryRoot, "models", file);

    private static readonly string ModelFile = Models("camvid-fpnlite-mobilenetv2.safetensors");
    private static readonly string Bundle = Models("camvid-fpnlite-mobilenetv2.exemplar");

    [Fact]
    public void TheFilesDescribeThemselves()
    {
        foreach (string file in new[] { ModelFile, Bundle }) Assert.InRange(new FileInfo(file).Length, 1, 25L << 20);
        var info = SegmentationModelFile.ReadInfo(ModelFile);
        Assert.Equal("fpnlite_mobilenetv2", info.Model);
        Assert.Equal(CamVidDataset.ClassNames, info.Classes);
        Assert.Equal("CamVid (train)", info.TrainedOn);
        using var model = ExemplarModel.Load(Bundle);
        Assert.True(model.Info.IsSupervised);
        Assert.Equal(CamVidDataset.ClassNames, model.Info.Classes);
    }

    [SharedFact("data/camvid/val/images/0016E5_07959.jpg", "data/camvid/val/labels/0016E5_07959.png")]
    public void BothSegmentCamVidValImages()
    {
        string shared = SharedFolder.PathOf("data/camvid/val"), root = PathOf("camvid");
        Directory.CreateDirectory(Path.Combine(root, "val", "images"));
        Directory.CreateDirectory(Path.Combine(root, "val", "labels"));
        var images = Directory.GetFiles(Path.Combine(shared, "images")).Order(StringComparer.Ordinal).Where((_, i) => i % 25 == 0).ToList(); // 5 spread over val
        foreach (string image in images)
        {
            string name = Path.GetFileName(image), stem = Path.GetFileNameWithoutExtension(image);
            File.Copy(image, Path.Combine(root, "val", "images", name));
            File.Copy(Path.Combine(shared, "labels", stem + ".png"), Path.Combine(root, "val", "labels", stem + ".png"));
        }
        string json = PathOf("scores.json");
        var (code, _, error) = Cli.Run("eval", "--model", ModelFile, "--dataset", $"camvid:{root}", "--json", json);
        Assert.True(code == 0, error);
        double miou = (double)JsonNode.Parse(File.ReadAllText(json))!["mIoU"]!;
        Assert.True(miou > 0.5, $"the shipped model scores mIoU {miou:P1} on 5 val images");

        // The bundle scored the same way, through Exemplar.Runtime: close to the model file (it pads to a square input).
        string bundleJson = PathOf("bundle-scores.json");
        (code, _, error) = Cli.Run("eval", "--model", Bundle, "--dataset", $"camvid:{root}", "--json", bundleJson);
        Assert.True(code == 0, error);
        var scores = JsonNode.Parse(File.ReadAllText(bundleJson))!;
        Assert.Equal("fpnlite_mobilenetv2-float32-onnx", (string?)scores["model"]);
        double bundleMiou = (double)scores["mIoU"]!;
        Assert.True(Math.Abs(bundleMiou - miou) < 0.05, $"bundle mIoU {bundleMiou:P1}, model file {miou:P1}");
        string inContext = Path.Combine(SharedFolder.RepositoryRoot, "models", "mobilenetv2-int8.exemplar");
        (code, _, error) = Cli.Run("eval", "--model", inContext, "--dataset", $"camvid:{root}");
        Assert.Equal(1, code);
        Assert.Contains($"{inContext} segments by example", error);

        // The bundle, in Exemplar.Runtime alone: pixel accuracy against the labels (void excluded).
        using var model = ExemplarModel.Load(Bundle);
        string first = images[0];
        var result = model.Segment(ImageInput.FromFile(first));
        using var labels = ImageReader.Read(Path.Combine(shared, "labels", Path.GetFileNameWithoutExtension(first) + ".png"));
        var truth = labels.Pixels.ToArray<byte>();
        int counted = 0, correct = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            if (truth[i] >= CamVidDataset.ClassNames.Count) continue;
            counted++;
            if (result.Labels[i] == truth[i] + 1) correct++;
        }
        double accuracy = (double)correct / counted;
        Assert.True(accuracy > 0.8, $"the shipped bundle labels {accuracy:P1} of {Path.GetFileName(first)}'s pixels right");
    }
}
