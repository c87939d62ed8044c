using Exemplar.Fuzzing;
using Exemplar.Torch.Serialization;
using Xunit.Abstractions;

namespace Exemplar.InContext.Tests;

/// <summary>
/// Damaged copies of a prompt file, through the mutator that <c>exemplar bench fuzz</c> uses: each must load or raise
/// <see cref="CheckpointFormatException"/> naming the prompt file; nothing else, no crash, no hang, bounded memory.
/// </summary>
public sealed class PromptFileFuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("exemplar-prompt-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void MutatedPromptFilesLoadOrRaiseCheckpointFormatExceptions()
    {
        string seed = Path.Combine(_dir, "seed.exemplar");
        using (var features = PromptFeaturesTests.Sample()) features.Save(seed);
        var runner = new FuzzRunner((bytes, path) =>
        {
            File.WriteAllBytes(path, bytes);
            PromptFeatures.Load(path).Dispose();
        }, e => e is CheckpointFormatException);
        var report = runner.Run([new FuzzSeed("prompts.exemplar", File.ReadAllBytes(seed))], 1500, 4242, _dir, TimeSpan.FromSeconds(120));
        output.WriteLine($"{report.Cases} mutants in {report.Elapsed.TotalSeconds:F1} s: {report.Accepted} loaded, {report.Rejected} rejected; "
            + $"at most {report.MaxCaseAllocatedBytes >> 10} KB allocated by one ({report.MaxCaseName})");
        Assert.Empty(report.Failures);
        // The checksum leaves little room: only edits to the header's layout (not its values) may still load.
        Assert.True(report.Rejected > report.Cases * 9 / 10, $"only {report.Rejected} of {report.Cases} mutants were rejected");
        Assert.True(report.MaxCaseAllocatedBytes < 64 << 20, $"{report.MaxCaseName} allocated {report.MaxCaseAllocatedBytes} bytes");
    }
}
