using Exemplar.Torch;

namespace Exemplar.Cli.Tests;

/// <summary>The command line as a whole: option names, global options, messages.</summary>
public sealed class ExemplarCommandTests
{
    [Theory]
    [InlineData("--bogus", "unknown option --bogus")]
    [InlineData("--targets", "did you mean --target?")]
    [InlineData("--overlays", "did you mean --overlay?")]
    [InlineData("--mask-formats=ids", "did you mean --mask-format?")]
    public void TyposAreUnknownOptionsNotFileNames(string typo, string expected)
    {
        var (code, _, error) = Cli.Run("segment", "--example", "a.jpg", "--mask", "m.png", typo, "x", "--target", "t.jpg", "--out", "out");
        Assert.Equal(1, code);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("--example but", error);
    }

    [Fact]
    public void ThreadsIsAGlobalOptionDefaultingToTheProcessors()
    {
        Assert.Equal(0, Cli.Run("--threads", "1", "info").Code);
        Assert.Equal(1, LibTorch.Threads);
        Assert.Equal(0, Cli.Run("info").Code);
        Assert.Equal(Environment.ProcessorCount, LibTorch.Threads);
        Assert.Equal(0, Cli.Run("info", "--threads", "1").Code);
        Assert.Equal(1, LibTorch.Threads);
        Assert.Contains("--threads 0", Cli.Run("info", "--threads", "0").Error);
        Cli.Run("info");
    }

    [Fact]
    public void UnknownModelsAreNamedWithoutDotNetParameterNoise()
    {
        var (code, _, error) = Cli.Run("features", "--image", "a.jpg", "--out", "f.safetensors", "--model", "sam", "--weights", "w");
        Assert.Equal(1, code);
        Assert.Contains("--model sam: no such model", error);
        Assert.DoesNotContain("(Parameter", error);
        (_, _, error) = Cli.Run("features", "--image", "a.jpg", "--out", "f.safetensors", "--model", "resnet5", "--weights", "w");
        Assert.Contains("did you mean resnet50?", error);
    }

    [Fact]
    public void LibraryOverwriteAdviceIsPhrasedAsTheForceSwitch()
    {
        var e = new IOException("/tmp/x.png already exists; pass overwrite: true to replace it");
        Assert.Equal("/tmp/x.png already exists; pass --force to replace it", ExemplarCommand.UserMessage(e));
    }
}
