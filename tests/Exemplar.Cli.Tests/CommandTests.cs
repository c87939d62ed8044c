using Exemplar.Torch.Serialization;
using Exemplar.Vision.IO;

namespace Exemplar.Cli.Tests;

/// <summary>The exemplar commands, run in-process on the shared PerSeg samples.</summary>
public sealed class CommandTests : IDisposable
{
    private const string Weights = Cli.Weights;
    private const string Duck = Cli.Duck;
    private readonly string _dir = Directory.CreateTempSubdirectory("exemplar-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string PerSeg(string file) => Cli.PerSeg(file);

    private static (int Code, string Error) Run(params string[] args)
    {
        var (code, _, error) = Cli.Run(args);
        return (code, error);
    }

    [SharedFact(Weights, Duck)]
    public void SegmentWritesMasksAndOverlaysAndNeverOverwrites()
    {
        string output = Path.Combine(_dir, "out");
        string[] args =
        [
            "segment", "--example", PerSeg("duck_toy_00.jpg"), "--mask", PerSeg("duck_toy_00.png"),
            "--target", PerSeg("duck_toy_01.jpg"), PerSeg("duck_toy_02.jpg"), "--out", output, "--overlay",
            "--weights", SharedFolder.PathOf(Weights),
        ];
        Assert.Equal(0, Run(args).Code);
        foreach (var name in new[] { "duck_toy_01", "duck_toy_02" })
        {
            var mask = ImageReader.ReadTensor(Path.Combine(output, name + ".png"));
            var truth = ImageReader.ReadInfo(PerSeg(name + ".jpg"));
            Assert.Equal([1L, truth.Height, truth.Width], mask.Shape);
            Assert.True(File.Exists(Path.Combine(output, name + "_overlay.png")));
        }
        var before = File.GetLastWriteTimeUtc(Path.Combine(output, "duck_toy_01.png"));
        var (code, error) = Run(args);
        Assert.Equal(1, code);
        Assert.Contains("--force", error);
        Assert.Equal(before, File.GetLastWriteTimeUtc(Path.Combine(output, "duck_toy_01.png")));
        Assert.Equal(0, Run([.. args, "--force"]).Code);
    }

    [SharedFact(Weights, Duck)]
    public void ForceReplacesLinksInTheOutputFolderInsteadOfWritingThroughThem()
    {
        string output = Directory.CreateDirectory(Path.Combine(_dir, "out")).FullName;
        string precious = Path.Combine(_dir, "precious.png"), nowhere = Path.Combine(_dir, "nowhere.png");
        File.WriteAllText(precious, "not to be touched");
        File.CreateSymbolicLink(Path.Combine(output, "duck_toy_01.png"), precious);
        File.CreateSymbolicLink(Path.Combine(output, "duck_toy_01_overlay.png"), nowhere);
        string[] args =
        [
            "segment", "--example", PerSeg("duck_toy_00.jpg"), "--mask", PerSeg("duck_toy_00.png"),
            "--target", PerSeg("duck_toy_01.jpg"), "--out", output, "--overlay", "--weights", SharedFolder.PathOf(Weights),
        ];
        var (code, error) = Run(args); // links, even dangling ones, are existing outputs: refused before any work
        Assert.Equal(1, code);
        Assert.Contains("2 output file(s) exist", error);
        Assert.Equal(0, Run([.. args, "--force"]).Code);
        Assert.Equal("not to be touched", File.ReadAllText(precious));
        Assert.False(File.Exists(nowhere));
        foreach (var name in new[] { "duck_toy_01.png", "duck_toy_01_overlay.png" })
        {
            Assert.Null(new FileInfo(Path.Combine(output, name)).LinkTarget);
            Assert.Equal(ImageFileFormat.Png, ImageReader.ReadInfo(Path.Combine(output, name)).Format);
        }
    }

    [SharedFact(Weights, Duck)]
    public void EncodedPromptsSegmentLikeTheExamplesThemselves()
    {
        string prompts = Path.Combine(_dir, "duck.exemplar");
        Assert.Equal(0, Run("encode-prompts", "--example", PerSeg("duck_toy_00.jpg"), "--mask", PerSeg("duck_toy_00.png"), "--class", "duck",
            "--out", prompts, "--weights", SharedFolder.PathOf(Weights)).Code);
        Assert.Equal(0, Run("segment", "--prompts", prompts, "--target", PerSeg("duck_toy_01.jpg"), "--out", Path.Combine(_dir, "a"),
            "--weights", SharedFolder.PathOf(Weights)).Code);
        Assert.Equal(0, Run("segment", "--example", PerSeg("duck_toy_00.jpg"), "--mask", PerSeg("duck_toy_00.png"), "--class", "duck",
            "--target", PerSeg("duck_toy_01.jpg"), "--out", Path.Combine(_dir, "b"), "--weights", SharedFolder.PathOf(Weights)).Code);
        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "a", "duck_toy_01.png")), File.ReadAllBytes(Path.Combine(_dir, "b", "duck_toy_01.png")));
    }

    [SharedFact(Weights, Duck)]
    public void BadInputsGiveOneLineErrorsNamingTheFile()
    {
        var (code, error) = Run("segment", "--example", PerSeg("duck_toy_00.jpg"), "--mask", PerSeg("cat_00.png"),
            "--target", PerSeg("duck_toy_01.jpg"), "--out", _dir, "--weights", SharedFolder.PathOf(Weights));
        Assert.Equal(1, code);
        Assert.Contains("cat_00.png", error);
        string corrupt = Path.Combine(_dir, "corrupt.jpg");
        File.WriteAllBytes(corrupt, File.ReadAllBytes(PerSeg("duck_toy_01.jpg"))[..5000]);
        (code, error) = Run("segment", "--example", PerSeg("duck_toy_00.jpg"), "--mask", PerSeg("duck_toy_00.png"),
            "--target", corrupt, "--out", Path.Combine(_dir, "c"), "--weights", SharedFolder.PathOf(Weights));
        Assert.Equal(1, code);
        Assert.Contains("corrupt.jpg", error);
        (code, error) = Run("segment", "--engine", "torch", "--example", PerSeg("duck_toy_00.jpg"), "--mask", PerSeg("duck_toy_00.png"),
            "--target", PerSeg("duck_toy_01.jpg"), "--out", _dir);
        Assert.Equal(1, code);
        Assert.Contains("--weights is required", error);
        (code, error) = Run("segment", "--engine", "onnx", "--example", PerSeg("duck_toy_00.jpg"), "--mask", PerSeg("duck_toy_00.png"),
            "--target", PerSeg("duck_toy_01.jpg"), "--out", _dir, "--weights", SharedFolder.PathOf(Weights));
        Assert.Equal(1, code);
        Assert.Contains("--weights is for --engine torch", error);

        // Two targets that would write the same mask, and an output that would replace an input, are refused up front.
        string other = Path.Combine(_dir, "other");
        Directory.CreateDirectory(other);
        File.Copy(PerSeg("duck_toy_01.jpg"), Path.Combine(other, "duck_toy_01.jpg"));
        (code, error) = Run("segment", "--example", PerSeg("duck_toy_00.jpg"), "--mask", PerSeg("duck_toy_00.png"),
            "--target", PerSeg("duck_toy_01.jpg"), Path.Combine(other, "duck_toy_01.jpg"), "--out", Path.Combine(_dir, "d"), "--weights", SharedFolder.PathOf(Weights));
        Assert.Equal(1, code);
        Assert.Contains("would both be written", error);
        File.Copy(PerSeg("duck_toy_02.jpg"), Path.Combine(other, "duck_toy_02.png"));
        (code, error) = Run("segment", "--example", PerSeg("duck_toy_00.jpg"), "--mask", PerSeg("duck_toy_00.png"),
            "--target", Path.Combine(other, "duck_toy_02.png"), "--out", other, "--force", "--weights", SharedFolder.PathOf(Weights));
        Assert.Equal(1, code);
        Assert.Contains("would replace an input", error);
    }

    [SharedFact(Weights, Duck)]
    public void FeaturesWritesTheRequestedLevels()
    {
        string output = Path.Combine(_dir, "f.safetensors");
        Assert.Equal(0, Run("features", "--image", PerSeg("duck_toy_00.jpg"), "--out", output, "--level", "13", "-1", "--size", "256",
            "--weights", SharedFolder.PathOf(Weights)).Code);
        using var file = SafeTensorsFile.Open(output);
        Assert.Equal([1L, 96, 16, 16], file.Info("level13").Shape);
        Assert.Equal([1L, 1280, 8, 8], file.Info("level-1").Shape);
        Assert.Equal("mobilenetv2", file.Metadata["model"]);
    }
}
