using Exemplar.Vision.IO;

namespace Exemplar.Cli.Tests;

/// <summary>The commands on the default engine (Exemplar.Runtime with the bundle in models/), needing no ../shared.</summary>
public sealed class EngineCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("exemplar-engine-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Sample(string file) => Path.Combine(SharedFolder.RepositoryRoot, "samples", "perseg", file);

    private static (int Code, string Error) Run(params string[] args)
    {
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        try
        {
            return (ExemplarCommand.Run(args), error.ToString());
        }
        finally
        {
            Console.SetError(previous);
        }
    }

    [Fact]
    public void SegmentAndEncodePromptsRunOnTheDefaultBundleWithoutWeights()
    {
        string output = Path.Combine(_dir, "out");
        var (code, error) = Run("segment", "--example", Sample("cat_00.jpg"), "--mask", Sample("cat_00.png"), "--class", "cat",
            "--target", Sample("cat_01.jpg"), Sample("cat_02.jpg"), "--out", output, "--overlay");
        Assert.True(code == 0, error);
        using var mask = ImageReader.ReadTensor(Path.Combine(output, "cat_01.png"), ImageReadOptions.Gray);
        using var truth = ImageReader.ReadTensor(Sample("cat_01.png"), ImageReadOptions.Gray);
        Assert.Equal(truth.Shape, mask.Shape);                       // decoded at half scale (1282 px > 2 x 512), written at full size
        using var predicted = mask.Ne(0);
        using var expected = truth.Ne(0);
        double iou = predicted.LogicalAnd(expected).Sum().ToDouble() / predicted.LogicalOr(expected).Sum().ToDouble();
        Assert.True(iou > 0.8, $"IoU {iou:F3}");
        Assert.True(File.Exists(Path.Combine(output, "cat_02_overlay.png")));

        string prompt = Path.Combine(_dir, "cat.prompt");
        Assert.Equal(0, Run("encode-prompts", "--example", Sample("cat_00.jpg"), "--mask", Sample("cat_00.png"), "--out", prompt).Code);
        string again = Path.Combine(_dir, "again");
        (code, error) = Run("segment", "--prompts", prompt, "--target", Sample("cat_01.jpg"), "--out", again);
        Assert.True(code == 0, error);
        Assert.Equal(File.ReadAllBytes(Path.Combine(output, "cat_01.png")), File.ReadAllBytes(Path.Combine(again, "cat_01.png")));
    }

    [Fact]
    public void EngineOptionsThatDoNotFitAreRefused()
    {
        var (code, error) = Run("segment", "--engine", "torch", "--bundle", "x.exemplar", "--example", Sample("cat_00.jpg"), "--mask", Sample("cat_00.png"),
            "--target", Sample("cat_01.jpg"), "--out", _dir);
        Assert.Equal(1, code);
        Assert.Contains("--bundle is for --engine onnx", error);
        (code, error) = Run("segment", "--device", "tpu", "--example", Sample("cat_00.jpg"), "--mask", Sample("cat_00.png"), "--target", Sample("cat_01.jpg"), "--out", _dir);
        Assert.Equal(1, code);
        Assert.Contains("unknown device 'tpu'", error);
        string notPrompt = Path.Combine(_dir, "p.prompt");
        File.WriteAllText(notPrompt, "hello");
        (code, error) = Run("segment", "--prompts", notPrompt, "--target", Sample("cat_01.jpg"), "--out", _dir);
        Assert.Equal(1, code);
        Assert.Contains($"{notPrompt}: not an Exemplar.Runtime prompt file", error);
        (code, error) = Run("segment", "--engine", "torch", "--flip-test", "--example", Sample("cat_00.jpg"), "--mask", Sample("cat_00.png"),
            "--target", Sample("cat_01.jpg"), "--out", _dir);
        Assert.Equal(1, code);
        Assert.Contains("--flip-test is for --engine onnx", error);
    }

    [Theory]
    [InlineData(false, "mobilenetv2-int8-onnx")]
    [InlineData(true, "mobilenetv2-int8-onnx+flip")]
    public void EvalRunsTheBundleOnPerSeg(bool flipTest, string segmenter)
    {
        string json = Path.Combine(_dir, "perseg.json");
        string[] args = ["eval", "--dataset", $"perseg:{Path.Combine(SharedFolder.RepositoryRoot, "samples", "perseg")}", "--episodes", "4", "--json", json];
        var (code, error) = Run(flipTest ? [.. args, "--flip-test"] : args);
        Assert.True(code == 0, error);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Array ? doc.RootElement[0] : doc.RootElement;
        Assert.Equal(segmenter, root.GetProperty("segmenter").GetString());
        Assert.True(root.GetProperty("miou").GetDouble() > 70, $"mIoU {root.GetProperty("miou").GetDouble():F1}");
    }
}
