using Exemplar.Models.Segmentation;
using Exemplar.Runtime;
using Exemplar.Torch;
using Exemplar.Vision.Datasets;

namespace Exemplar.Cli.Tests;

/// <summary><c>exemplar export --model FILE</c>: a supervised model file to a float or int8 bundle that Exemplar.Runtime runs.</summary>
public sealed class ExportModelCommandTests : CliTest
{
    private string ModelFile()
    {
        string path = PathOf("model.safetensors");
        LibTorch.ManualSeed(2);
        using var network = SegmentationZoo.Get("lraspp_mobilenetv2").Create(11, null);
        SegmentationModelFile.Save(path, network, SegmentationModelInfo.For("lraspp_mobilenetv2", network, CamVidDataset.ClassNames, 255, "written", null));
        return path;
    }

    /// <summary>A CamVid-layout train split of three 64x64 images, to calibrate on.</summary>
    private string CamVid()
    {
        string root = PathOf("camvid");
        Directory.CreateDirectory(Path.Combine(root, "train", "images"));
        Directory.CreateDirectory(Path.Combine(root, "train", "labels"));
        foreach (string name in new[] { "a", "b", "c" })
        {
            Cli.SquareImage(Path.Combine(root, "train", "images", name + ".png"));
            Cli.IdMask(Path.Combine(root, "train", "labels", name + ".png"), 0, 3, 5, 8, 11);
        }
        return root;
    }

    [Fact]
    public void ExportsFloatAndInt8BundlesAndTheCalibratedModel()
    {
        string model = ModelFile(), image = Cli.SquareImage(PathOf("target.png"));
        string floatBundle = PathOf("float.exemplar"), int8Bundle = PathOf("int8.exemplar"), int8Model = PathOf("int8.safetensors");

        var (code, output, error) = Cli.Run("export", "--model", model, "--out", floatBundle, "--input-size", "96");
        Assert.True(code == 0, error);
        Assert.Contains("11 classes, input 96", output);
        byte[] floatLabels;
        using (var runtime = ExemplarModel.Load(floatBundle))
        {
            Assert.True(runtime.Info.IsSupervised);
            Assert.Equal("float32", runtime.Info.Precision);
            Assert.Equal(CamVidDataset.ClassNames, runtime.Info.Classes);
            floatLabels = runtime.Segment(ImageInput.FromFile(image)).Labels;
        }

        (code, _, error) = Cli.Run("export", "--model", model, "--out", int8Bundle, "--input-size", "96", "--int8",
            "--calibrate", $"camvid:{CamVid()}", "--calibration-images", "3", "--save-model", int8Model);
        Assert.True(code == 0, error);
        using (var runtime = ExemplarModel.Load(int8Bundle))
        {
            Assert.Equal("int8", runtime.Info.Precision);
            var labels = runtime.Segment(ImageInput.FromFile(image)).Labels;
            Assert.Equal(floatLabels.Length, labels.Length);
        }

        // Both bundles time side by side.
        string json = PathOf("bundles.json");
        (code, _, error) = Cli.Run("bench", "bundles", "--bundle", floatBundle, "--bundle", int8Bundle, "--image", image, "--warmup", "0", "--runs", "2", "--threads", "1", "--json", json);
        Assert.True(code == 0, error);
        var cases = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!["cases"]!.AsArray();
        Assert.Equal(["float32", "int8"], cases.Select(c => (string)c!["precision"]!));
        Assert.All(cases, c => Assert.True((double)c!["median_ms"]! > 0));
        Assert.Equal(1.0, (double)cases[0]!["speedup"]!);

        // The calibrated model file is an int8 model: it reloads fake-quantised, and exports as int8 without calibrating again.
        var info = SegmentationModelFile.ReadInfo(int8Model);
        Assert.NotNull(info.Quantization);
        Assert.NotEmpty(info.Quantization!);
        var (reloaded, _) = SegmentationModelFile.Load(int8Model);
        reloaded.Dispose();
        (code, _, error) = Cli.Run("export", "--model", int8Model, "--out", PathOf("again.exemplar"), "--input-size", "96");
        Assert.True(code == 0, error);
        using (var again = ExemplarModel.Load(PathOf("again.exemplar"))) Assert.Equal("int8", again.Info.Precision);
    }

    [Fact]
    public void RefusesWhatItCannotDo()
    {
        string model = ModelFile(), bundle = PathOf("b.exemplar");
        var (code, _, error) = Cli.Run("export", "--model", model, "--out", bundle, "--int8");
        Assert.Equal(1, code);
        Assert.Contains("--int8 needs --calibrate", error);
        (code, _, error) = Cli.Run("export", "--model", model, "--out", bundle, "--input-size", "100");
        Assert.Equal(1, code);
        Assert.Contains("multiple of 32", error);
        Assert.Equal(0, Cli.Run("export", "--model", model, "--out", bundle, "--input-size", "64").Code);
        (code, _, error) = Cli.Run("export", "--model", model, "--out", bundle, "--input-size", "64");
        Assert.Equal(1, code);
        Assert.Contains("--force", error);
    }
}
