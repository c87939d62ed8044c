using System.Text.Json;

namespace Exemplar.Cli.Tests;

/// <summary>exemplar segment: judging results (--threshold, --json), batches (--keep-going, --skip-existing, --recursive, patterns), wrong files.</summary>
public sealed class SegmentCommandTests : CliTest
{
    private static string[] Duck(params string[] more) =>
    [
        "segment", "--example", Cli.PerSeg("duck_toy_00.jpg"), "--mask", Cli.PerSeg("duck_toy_00.png"), "--class", "duck",
        "--weights", SharedFolder.PathOf(Cli.Weights), .. more,
    ];

    [SharedFact(Cli.Weights, Cli.Duck)]
    public void FindingsArePrintedAndWrittenAsJsonAndTheThresholdTunesThem()
    {
        string json = PathOf("r.json");
        var (code, output, error) = Cli.Run(Duck("--target", Cli.PerSeg("duck_toy_01.jpg"), "--out", PathOf("a"), "--json", json));
        Assert.True(code == 0, error);
        Assert.Matches(@"duck_toy_01\.jpg: duck \d+\.\d% \(confidence 0\.\d\d, \d+ objects?\)", output);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var target = doc.RootElement.GetProperty("targets")[0];
        Assert.EndsWith("duck_toy_01.jpg", target.GetProperty("file").GetString());
        var duck = target.GetProperty("classes")[0];
        Assert.Equal("duck", duck.GetProperty("name").GetString());
        double fraction = duck.GetProperty("area_fraction").GetDouble();
        Assert.InRange(fraction, 0.05, 0.6);
        Assert.InRange(duck.GetProperty("confidence").GetDouble(), 0.5, 1.0);
        var largest = duck.GetProperty("objects")[0];
        Assert.True(largest.GetProperty("area").GetInt64() > 0.5 * duck.GetProperty("area").GetInt64());
        Assert.True(largest.GetProperty("box").GetProperty("width").GetInt32() > 100);

        // A threshold no pixel reaches: every target empty, and the run says so.
        (code, output, error) = Cli.Run(Duck("--target", Cli.PerSeg("duck_toy_01.jpg"), Cli.PerSeg("duck_toy_02.jpg"), "--out", PathOf("b"), "--threshold", "0.99999"));
        Assert.Equal(0, code);
        Assert.Contains("duck_toy_02.jpg: nothing found", output);
        Assert.Contains("warning: every target came out empty", error);
        Assert.Contains("--threshold 1.5", Cli.Run(Duck("--target", Cli.PerSeg("duck_toy_01.jpg"), "--out", PathOf("c"), "--threshold", "1.5")).Error);
    }

    [SharedFact(Cli.Weights, Cli.Duck)]
    public void KeepGoingSkipsBadFilesAndSkipExistingResumes()
    {
        string folder = PathOf("in");
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        File.Copy(Cli.PerSeg("duck_toy_01.jpg"), Path.Combine(folder, "good.jpg"));
        File.Copy(Cli.PerSeg("duck_toy_01.png"), Path.Combine(folder, "good.png")); // its mask, beside it
        File.WriteAllBytes(Path.Combine(folder, "bad.jpg"), File.ReadAllBytes(Cli.PerSeg("duck_toy_02.jpg"))[..3000]);
        File.Copy(Cli.PerSeg("duck_toy_02.jpg"), Path.Combine(folder, "sub", "deep.jpg"));
        string output = PathOf("out");

        // Without --keep-going the bad file stops the run, and no empty output folder is left behind.
        var (code, _, error) = Cli.Run(Duck("--target", Path.Combine(folder, "bad.jpg"), "--out", output));
        Assert.Equal(1, code);
        Assert.Contains("bad.jpg", error);
        Assert.False(Directory.Exists(output));

        (code, _, error) = Cli.Run(Duck("--target", folder, "--out", output, "--include", "*.jpg", "--recursive", "--keep-going"));
        Assert.Equal(2, code);
        Assert.Contains("1 of 3 target(s) failed", error);
        Assert.Contains("bad.jpg", error);
        Assert.True(File.Exists(Path.Combine(output, "good.png")));
        Assert.True(File.Exists(Path.Combine(output, "sub", "deep.png")));

        // A rerun refuses to overwrite, unless it resumes.
        Assert.Equal(1, Cli.Run(Duck("--target", folder, "--out", output, "--include", "*.jpg", "--recursive")).Code);
        var before = File.GetLastWriteTimeUtc(Path.Combine(output, "good.png"));
        (code, _, error) = Cli.Run(Duck("--target", folder, "--out", output, "--include", "*.jpg", "--exclude", "bad*", "--recursive", "--skip-existing"));
        Assert.Equal(0, code);
        Assert.Contains("skipping 2 target(s)", error);
        Assert.Equal(before, File.GetLastWriteTimeUtc(Path.Combine(output, "good.png")));

        // Without --include, the mask beside its image would be a target too (and collide with good.jpg's output).
        Assert.Contains("would both be written", Cli.Run(Duck("--target", folder, "--out", PathOf("out2"))).Error);
    }

    [SharedFact(Cli.Weights, Cli.Duck)]
    public void WrongWeightFilesSayWhatTheyAreAndWhatWasExpected()
    {
        var (code, _, error) = Cli.Run("segment", "--example", Cli.PerSeg("duck_toy_00.jpg"), "--mask", Cli.PerSeg("duck_toy_00.png"),
            "--target", Cli.PerSeg("duck_toy_01.jpg"), "--out", PathOf("a"), "--weights", Cli.PerSeg("duck_toy_00.jpg"));
        Assert.Equal(1, code);
        Assert.Contains("this is a JPEG image, but --model mobilenetv2 needs", error);
        Assert.DoesNotContain("wire type", error);

        (code, _, error) = Cli.Run("segment", "--example", Cli.PerSeg("duck_toy_00.jpg"), "--mask", Cli.PerSeg("duck_toy_00.png"),
            "--target", Cli.PerSeg("duck_toy_01.jpg"), "--out", PathOf("b"), "--model", "resnet50", "--weights", SharedFolder.PathOf(Cli.Weights));
        Assert.Equal(1, code);
        Assert.Contains("this is an ONNX model, but --model resnet50 needs torchvision", error);
        Assert.Contains("fits --model mobilenetv2", error);
        Assert.False(Directory.Exists(PathOf("a")));
    }

    [SharedFact(Cli.Weights, Cli.Duck)]
    public void ProgressGoesToStandardErrorWithoutColourCodesWhenRedirected()
    {
        var (code, output, error) = Cli.Run(Duck("--target", Cli.PerSeg("duck_toy_01.jpg"), "--out", PathOf("a")));
        Assert.Equal(0, code);
        Assert.DoesNotContain("segmenting", output);
        Assert.Contains("segmenting 1 image(s)", error);
        Assert.DoesNotContain("\u001b[", output + error);
    }

    [SharedFact(Cli.Weights)]
    public void SeveralClassOverlaysCarryALegend()
    {
        string image = Cli.SquareImage(PathOf("a.png"));
        var ids = new byte[4096];
        for (int i = 0; i < ids.Length; i++) ids[i] = (byte)((i % 64) is >= 16 and < 48 && (i / 64) is >= 16 and < 48 ? 1 : i / 64 < 8 ? 2 : 0);
        using (var t = Exemplar.Torch.Tensor.From(ids, 1, 64, 64)) Exemplar.Vision.IO.ImageWriter.WritePng(PathOf("ids.png"), t);
        var (code, _, error) = Cli.Run("segment", "--example", image, "--mask", PathOf("ids.png"), "--class", "square", "--class", "top",
            "--target", image, "--out", PathOf("out"), "--overlay", "--weights", SharedFolder.PathOf(Cli.Weights));
        Assert.True(code == 0, error);
        var mask = Exemplar.Vision.IO.ImageReader.ReadInfo(PathOf("out/a.png"));
        var overlay = Exemplar.Vision.IO.ImageReader.ReadInfo(PathOf("out/a_overlay.png"));
        Assert.Equal(mask.Width, overlay.Width);
        Assert.True(overlay.Height > mask.Height, "the legend runs below the picture");
    }
}
