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
        var (code, output, error) = Cli.Run(["tune", .. examples, "--weights", weights, "--steps", "2", "--out", torchPrompt]);
        Assert.True(code == 0, error);
        Assert.Matches(@"tuned 2 example\(s\) in [0-9.]+ s: leave-one-out loss [0-9.]+ → [0-9.]+", output);
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

        (code, _, error) = Cli.Run(["tune", .. examples, "--weights", weights, "--steps", "2", "--out", torchPrompt]);
        Assert.Equal(1, code);
        Assert.Contains("exists", error);
    }
}
