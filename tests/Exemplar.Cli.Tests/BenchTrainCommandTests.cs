using System.Diagnostics;
using System.Text.Json;
using Exemplar.Benchmarks;

namespace Exemplar.Cli.Tests;

/// <summary>exemplar bench train: a tiny case (64×64, batch 2, one timed step) run on both sides, and its JSON.</summary>
public sealed class BenchTrainCommandTests : CliTest
{
    [PytorchFact]
    public void WritesBothTimingsAndTheirRatio()
    {
        string json = PathOf("train.json");
        var (code, _, error) = Cli.Run("bench", "train", "--case", "lraspp_mobilenetv2_64_b2", "--warmup", "0", "--steps", "1", "--threads", "1", "--json", json);
        Assert.True(code == 0, error);
        Assert.Contains("parameters: Exemplar", error);

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var cases = doc.RootElement.GetProperty("cases");
        var only = Assert.Single(cases.EnumerateArray());
        Assert.Equal("lraspp_mobilenetv2_64_b2", only.GetProperty("name").GetString());
        double ours = only.GetProperty("exemplar_ms").GetDouble();
        double theirs = only.GetProperty("pytorch_ms").GetDouble();
        Assert.True(ours > 0, $"exemplar_ms {ours}");
        Assert.True(theirs > 0, $"pytorch_ms {theirs}");
        Assert.Equal(ours / theirs, only.GetProperty("ratio").GetDouble(), 1e-9);
        Assert.Equal(1, doc.RootElement.GetProperty("threads").GetInt32());
        Assert.Equal(1, doc.RootElement.GetProperty("steps").GetInt32());
    }

    [Fact]
    public void RefusesACaseThatIsNotATrainingCase()
    {
        var (code, _, error) = Cli.Run("bench", "train", "--case", "lraspp_mobilenetv2_100_b2", "--no-pytorch");
        Assert.Equal(1, code);
        Assert.Contains("not a training case", error);
    }
}

/// <summary>A fact that is skipped, with a visible reason, when the PyTorch reference (python3-torch) cannot be imported.</summary>
public sealed class PytorchFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Missing = new(FindMissing);

    /// <summary>Skips the test when PyTorch is missing.</summary>
    public PytorchFactAttribute()
    {
        if (Missing.Value is { } reason) Skip = reason;
    }

    private static string? FindMissing()
    {
        var start = new ProcessStartInfo(PythonReference.Interpreter, ["-c", "import torch"]) { RedirectStandardError = true, UseShellExecute = false };
        try
        {
            using var process = Process.Start(start);
            if (process is null) return $"{PythonReference.Interpreter} could not be started: skipping a test that needs PyTorch";
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"{PythonReference.Interpreter} cannot import torch (scripts/setup.sh --bench installs python3-torch): skipping";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return $"{PythonReference.Interpreter} is missing (scripts/setup.sh --bench installs python3-torch): skipping a test that needs PyTorch";
        }
    }
}
