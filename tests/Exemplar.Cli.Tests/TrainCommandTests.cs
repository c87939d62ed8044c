using System.Diagnostics;
using System.Text;
using Exemplar.Training.Logging;

namespace Exemplar.Cli.Tests;

/// <summary>
/// <c>exemplar train</c> end to end on a few CamVid images: what a run writes, a run killed mid-way and resumed
/// ending with the same weights file as an uninterrupted one, two processes, and recipe errors.
/// </summary>
public sealed class TrainCommandTests : CliTest
{
    private string Recipe(long steps)
    {
        string path = PathOf("recipe.yaml");
        File.WriteAllText(path, $"""
        model:
          name: lraspp_mobilenetv2
          backbone_weights: $shared/{Cli.Weights}
        data:
          kind: camvid
          root: $shared/data/camvid
          train_limit: 8
          val_limit: 2
          crop_height: 64
          crop_width: 96
          batch_size: 2
          workers: 0
        augment:
          photometric: 0.5
        loss:
          dice: 0.5
        optimizer:
          lr: 0.002
        schedule:
          kind: poly
          warmup_steps: 2
        trainer:
          steps: {steps}
          accumulation: 2
          seed: 5
          log_every: 1
          validate_every: 3
          checkpoint_every: 1
        """);
        return path;
    }

    /// <summary>Runs the exemplar program as its own process; <paramref name="killAfter"/> kills it once standard error shows that line.</summary>
    private static (int Code, string Error) RunProcess(string[] args, string? killAfter = null)
    {
        string cli = typeof(ExemplarCommand).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(cli);
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment["EXEMPLAR_SHARED"] = SharedFolder.Root;
        using var process = Process.Start(start)!;
        var error = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (error) error.AppendLine(e.Data);
            if (killAfter is not null && e.Data.StartsWith(killAfter, StringComparison.Ordinal) && !process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        };
        process.BeginErrorReadLine();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "exemplar train did not finish in 3 minutes");
        process.WaitForExit(); // and the error stream is drained
        lock (error) return (process.ExitCode, output + error);
    }

    [SharedFact(Cli.Weights, "data/camvid/train/images/0001TP_006690.jpg")]
    public void TrainsWritesItsRunAndResumesAKilledRunExactly()
    {
        string recipe = Recipe(6);
        string whole = PathOf("whole");

        var (code, log) = RunProcess(["train", "--recipe", recipe, "--out", whole, "--threads", "2"]);
        Assert.True(code == 0, log);
        Assert.Contains("trained 6 steps", log);
        foreach (string f in new[] { "checkpoints/last/model.safetensors", "checkpoints/last/optimizer.safetensors", "checkpoints/last/trainer.json",
                     "checkpoints/best/model.safetensors", "log.jsonl", "curves/loss.png", "curves/lr.png", "curves/validation.png", "summary.json", "recipe.yaml" })
            Assert.True(File.Exists(Path.Combine(whole, f)), $"{f} missing; {log}");
        var records = JsonlLog.Read(Path.Combine(whole, "log.jsonl"));
        var steps = records.Where(r => r["loss"] is not null).ToList();
        Assert.Equal([1L, 2, 3, 4, 5, 6], steps.Select(r => (long)r["step"]!));
        Assert.All(steps, r => Assert.True((double)r["lr"]! > 0 && double.IsFinite((double)r["loss"]!)));
        Assert.Equal(2, records.Count(r => r["val"] is not null)); // steps 3 and 6

        // The best weights are a model file on their own: network, class names, normalisation.
        var (best, info) = Exemplar.Models.Segmentation.SegmentationModelFile.Load(Path.Combine(whole, "checkpoints/best/model.safetensors"));
        best.Dispose();
        Assert.Equal("lraspp_mobilenetv2", info.Model);
        Assert.Equal(Exemplar.Vision.Datasets.CamVidDataset.ClassNames, info.Classes);
        Assert.Equal("CamVid (train), 8 of 367", info.TrainedOn); // the recipe trains on the first 8
        Assert.Equal("recipe.yaml", info.Recipe);

        // Killed after step 4 (its checkpoint written, or step 3's), then resumed: the same bytes as the whole run. The
        // kill follows the logged line, and these steps are short enough that the run can end before it lands: then
        // it is tried again in a fresh folder (the resume below always starts from a killed run).
        string killed = "";
        for (int attempt = 0; attempt < 3; attempt++)
        {
            killed = PathOf($"killed{attempt}");
            (code, log) = RunProcess(["train", "--recipe", recipe, "--out", killed, "--threads", "2"], killAfter: "step 4/6");
            if (code != 0) break;
        }
        Assert.NotEqual(0, code);
        Assert.DoesNotContain("trained 6 steps", log);
        (code, log) = RunProcess(["train", "--recipe", recipe, "--out", killed, "--resume", Path.Combine(killed, "checkpoints", "last"), "--threads", "2"]);
        Assert.True(code == 0, log);
        Assert.Contains("resuming at step", log);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "checkpoints/last/model.safetensors")), File.ReadAllBytes(Path.Combine(killed, "checkpoints/last/model.safetensors")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "checkpoints/last/optimizer.safetensors")), File.ReadAllBytes(Path.Combine(killed, "checkpoints/last/optimizer.safetensors")));
        Assert.Equal(steps.Select(r => r.ToJsonString()).Select(Losses), JsonlLog.Read(Path.Combine(killed, "log.jsonl")).Where(r => r["loss"] is not null).Select(r => r.ToJsonString()).Select(Losses));

        // The run folder is not overwritten without --resume.
        (code, log) = RunProcess(["train", "--recipe", recipe, "--out", whole]);
        Assert.Equal(1, code);
        Assert.Contains("already holds files", log);
    }

    /// <summary>A log record without its timing fields, which differ between runs.</summary>
    private static string Losses(string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node.Remove("steps_per_s");
        node.Remove("elapsed_s");
        return node.ToJsonString();
    }

    [SharedFact(Cli.Weights, "data/camvid/train/images/0001TP_006690.jpg")]
    public void TrainsInTwoProcesses()
    {
        string run = PathOf("ddp");
        var (code, log) = RunProcess(["train", "--recipe", Recipe(3), "--out", run, "--nproc", "2", "--threads", "2"]);
        Assert.True(code == 0, log);
        Assert.Contains("training on 2 processes", log);
        Assert.Contains("trained 3 steps on 2 processes", log);
        var steps = JsonlLog.Read(Path.Combine(run, "log.jsonl")).Where(r => r["loss"] is not null).ToList();
        Assert.Equal([1L, 2, 3], steps.Select(r => (long)r["step"]!)); // rank 0 alone writes the log
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "last", "model.safetensors")));
    }

    [SharedFact(Cli.Weights, "data/camvid/train/images/0001TP_006690.jpg")]
    public void QuantizationAwareTrainingStartsFromAFloatModelAndWritesInt8ModelFiles()
    {
        // In this process the command finds $shared through the variable (the test host's folder has no ../shared).
        Environment.SetEnvironmentVariable("EXEMPLAR_SHARED", SharedFolder.Root);
        string recipe = Recipe(2);
        var (code, _, error) = Cli.Run("train", "--recipe", recipe, "--out", PathOf("float"));
        Assert.True(code == 0, error);
        string floatModel = Path.Combine(PathOf("float"), "checkpoints", "best", "model.safetensors");
        Assert.Null(Exemplar.Models.Segmentation.SegmentationModelFile.ReadInfo(floatModel).Quantization);

        string qat = PathOf("qat.yaml");
        File.WriteAllText(qat, File.ReadAllText(recipe).Replace("model:\n", $"model:\n  weights: {floatModel}\n", StringComparison.Ordinal)
            + "\nquantization:\n  calibration_batches: 2\n");
        (code, _, error) = Cli.Run("train", "--recipe", qat, "--out", PathOf("qat"));
        Assert.True(code == 0, error);
        string int8Model = Path.Combine(PathOf("qat"), "checkpoints", "last", "model.safetensors");
        var info = Exemplar.Models.Segmentation.SegmentationModelFile.ReadInfo(int8Model);
        Assert.NotNull(info.Quantization);
        Assert.NotEmpty(info.Quantization!);

        // The QAT model exports as int8 with its own ranges, and scores like any model file.
        (code, _, error) = Cli.Run("export", "--model", int8Model, "--out", PathOf("qat.exemplar"), "--input-size", "96");
        Assert.True(code == 0, error);
        using var runtime = Exemplar.Runtime.ExemplarModel.Load(PathOf("qat.exemplar"));
        Assert.Equal("int8", runtime.Info.Precision);

        string started = PathOf("bad.yaml");
        File.WriteAllText(started, File.ReadAllText(qat).Replace(floatModel, int8Model, StringComparison.Ordinal));
        (code, _, error) = Cli.Run("train", "--recipe", started, "--out", PathOf("again"));
        Assert.Equal(1, code);
        Assert.Contains("already quantised", error);
    }

    [Fact]
    public void ABadRecipeIsAnErrorNamingTheLineAndKey()
    {
        string recipe = PathOf("bad.yaml");
        File.WriteAllText(recipe, "model:\n  name: lraspp_mobilenetv2\noptimizer:\n  learning_rate: 0.1\n");
        var (code, _, error) = Cli.Run("train", "--recipe", recipe, "--out", PathOf("run"));
        Assert.Equal(1, code);
        Assert.Contains($"{recipe}:4:3: 'optimizer.learning_rate': unknown key in 'optimizer'", error);
        Assert.False(Directory.Exists(PathOf("run")));
    }
}
