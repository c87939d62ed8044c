namespace Exemplar.Cli.Tests;

/// <summary><c>exemplar tune</c>: a tuned prompt for the torch engine and one for the default bundle, each used by <c>segment</c>.</summary>
public sealed class TuneCommandTests : CliTest
{
    [SharedFact(Cli.Weights, Cli.Duck)]
    public void WritesTunedPromptsThatSegmentUses()
    {
        string weights = SharedFolder.PathOf(Cli.Weights);
        string[] examples = ["--example", Cli.PerSeg("duck_toy_00.jpg"), Cli.PerSeg("duck_toy_01.jpg"), "--mask", Cli.PerSeg("duck_toy_00.png"), Cli.PerSeg("duck_toy_01.png")];
        string torchPrompt = PathOf("torch.prompt");
        var (code, output, error) = Cli.Run(["tune", .. examples, "--weights", weights, "--steps", "2", "--flip", "--out", torchPrompt]);
        Assert.True(code == 0, error);
        Assert.Matches(@"tuned 2 example\(s\) in [0-9.]+ s: leave-one-out loss [0-9.]+ → [0-9.]+, logit offset\(s\) (0|[+-][0-9]\.[0-9]{2}); wrote", output);
        (code, _, error) = Cli.Run("segment", "--engine", "torch", "--weights", weights, "--prompts", torchPrompt, "--target", Cli.PerSeg("duck_toy_02.jpg"), "--out", PathOf("torch"));
        Assert.True(code == 0, error);

        string bundlePrompt = PathOf("bundle.prompt");
        string bundle = Path.Combine(SharedFolder.RepositoryRoot, "models", "mobilenetv2-int8.exemplar");
        (code, output, error) = Cli.Run(["tune", .. examples, "--weights", weights, "--steps", "2", "--bundle", bundle, "--out", bundlePrompt]);
        Assert.True(code == 0, error);
        Assert.Contains("for mobilenetv2-int8", output);
        (code, _, error) = Cli.Run("segment", "--prompts", bundlePrompt, "--target", Cli.PerSeg("duck_toy_02.jpg"), "--out", PathOf("bundle"));
        Assert.True(code == 0, error);
        Assert.NotEmpty(Directory.GetFiles(PathOf("bundle"), "*.png"));

        // track takes the bundle's prompt in place of the first frame's own encoding; the torch engine's is refused, named.
        string frames = PathOf("frames");
        Directory.CreateDirectory(frames);
        File.Copy(Cli.PerSeg("duck_toy_02.jpg"), Path.Combine(frames, "00001.jpg"));
        string[] track = ["track", "--example", Cli.PerSeg("duck_toy_01.jpg"), "--mask", Cli.PerSeg("duck_toy_01.png"), "--frames", frames, "--threads", "2"];
        (code, output, error) = Cli.Run([.. track, "--prompts", bundlePrompt, "--out", PathOf("track")]);
        Assert.True(code == 0, error);
        Assert.Contains("tracked 1 frame(s)", output);
        Assert.True(File.Exists(Path.Combine(PathOf("track"), "00001.png")));
        (code, _, error) = Cli.Run([.. track, "--prompts", torchPrompt, "--out", PathOf("track-torch")]);
        Assert.Equal(1, code);
        Assert.Contains($"{torchPrompt} is a prompt file of the Exemplar.Torch engine", error);

        (code, _, error) = Cli.Run(["tune", .. examples, "--weights", weights, "--steps", "2", "--out", torchPrompt]);
        Assert.Equal(1, code);
        Assert.Contains("exists", error);
    }

    [SharedFact(Cli.Weights, Cli.Duck)]
    public void BundlesATunedPromptCannotGoToAreRefusedBeforeTuning()
    {
        string[] tune = ["tune", "--example", Cli.PerSeg("duck_toy_00.jpg"), "--mask", Cli.PerSeg("duck_toy_00.png"), "--weights", SharedFolder.PathOf(Cli.Weights), "--out", PathOf("x.prompt")];
        string supervised = Path.Combine(SharedFolder.RepositoryRoot, "models", "camvid-fpnlite-mobilenetv2.exemplar");
        var (code, output, error) = Cli.Run([.. tune, "--bundle", supervised]);
        Assert.Equal(1, code);
        Assert.Contains($"{supervised} is a supervised network", error);
        Assert.DoesNotContain("tuned", output);

        // The default bundle, its manifest naming another encoder: refused, naming both, with no tuning spent.
        string other = PathOf("other-encoder.exemplar");
        File.Copy(Path.Combine(SharedFolder.RepositoryRoot, "models", "mobilenetv2-int8.exemplar"), other);
        using (var zip = System.IO.Compression.ZipFile.Open(other, System.IO.Compression.ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("manifest.json")!;
            string manifest;
            using (var reader = new StreamReader(entry.Open())) manifest = reader.ReadToEnd();
            Assert.Contains("\"encoder\": \"mobilenetv2\"", manifest);
            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("manifest.json").Open());
            writer.Write(manifest.Replace("\"encoder\": \"mobilenetv2\"", "\"encoder\": \"resnet50\""));
        }
        (code, output, error) = Cli.Run([.. tune, "--bundle", other]);
        Assert.Equal(1, code);
        Assert.Contains($"{other} encodes with resnet50", error);
        Assert.Contains("--model mobilenetv2", error);
        Assert.DoesNotContain("tuned", output);
        Assert.False(File.Exists(PathOf("x.prompt")));
    }
}
