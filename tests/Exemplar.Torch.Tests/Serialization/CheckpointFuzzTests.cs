using Exemplar.Fuzzing;
using Exemplar.Torch.Serialization;
using Xunit.Abstractions;

namespace Exemplar.Torch.Tests.Serialization;

/// <summary>
/// Damaged copies of safetensors files and torch.save checkpoints, through the mutator that <c>exemplar bench fuzz</c>
/// uses: each must load or raise <see cref="CheckpointFormatException"/> naming the file; nothing else, no crash, no
/// hang, bounded memory.
/// </summary>
public sealed class CheckpointFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int MutantsPerFile = 700;
    private readonly string _dir = Directory.CreateTempSubdirectory("exemplar-ckpt-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void MutatedCheckpointsLoadOrRaiseCheckpointFormatExceptions()
    {
        var runner = new FuzzRunner(Load, e => e is CheckpointFormatException);
        var report = runner.Run(Corpus(), MutantsPerFile, 1306, _dir, TimeSpan.FromSeconds(120));
        output.WriteLine($"{report.Cases} mutants in {report.Elapsed.TotalSeconds:F1} s: {report.Accepted} loaded, {report.Rejected} rejected; "
            + $"at most {report.MaxCaseAllocatedBytes >> 10} KB allocated by one ({report.MaxCaseName}), peak working set {report.PeakWorkingSetBytes >> 20} MB");
        Assert.Empty(report.Failures);
        Assert.True(report.Rejected > report.Cases / 4, $"only {report.Rejected} of {report.Cases} mutants were rejected");
        Assert.True(report.Accepted > 0, "no mutant loaded");
        Assert.True(report.MaxCaseAllocatedBytes < 64 << 20, $"{report.MaxCaseName} allocated {report.MaxCaseAllocatedBytes} bytes");
    }

    private static void Load(byte[] mutant, string path)
    {
        File.WriteAllBytes(path, mutant);
        using var scope = DisposeScope.Begin();
        Checkpoints.LoadStateDict(path);
    }

    private List<FuzzSeed> Corpus()
    {
        string safetensors = Path.Combine(_dir, "seed.safetensors"), pth = Path.Combine(_dir, "seed.pth");
        using (var scope = DisposeScope.Begin())
        {
            var tensors = new Dictionary<string, Tensor>
            {
                ["w"] = Tensor.Arange(12).To(DType.Float32).Reshape(4, 3),
                ["ids"] = Tensor.Arange(5),
                ["half"] = Tensor.Ones([2, 2], DType.BFloat16),
                ["mask"] = Tensor.Ones([3], DType.Bool),
            };
            SafeTensors.Save(safetensors, tensors, new Dictionary<string, string> { ["note"] = "fuzz seed" });
        }
        var c = new CraftedCheckpoint().EmptyDict();
        c.Str("model").EmptyDict().Str("w").Tensor("w", [1, 2, 3, 4, 5, 6], [2, 3], [3, 1]).SetItem().Str("t").Tensor("w", [1, 2, 3, 4, 5, 6], [3, 2], [1, 3]).SetItem().SetItem();
        c.Str("epoch").Int(3).SetItem();
        c.Str("pair").Mark().Tensor(2).Tensor(3).Tuple().SetItem();
        c.Save(pth);
        var seeds = new[] { safetensors, pth, Path.Combine(AppContext.BaseDirectory, "Serialization", "Data", "views.pth") }
            .Select(f => new FuzzSeed(Path.GetFileName(f), File.ReadAllBytes(f))).ToList();
        File.Delete(safetensors);
        File.Delete(pth);
        return seeds;
    }
}
