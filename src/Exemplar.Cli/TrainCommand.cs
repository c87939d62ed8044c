using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Exemplar.Torch;
using Exemplar.Torch.Distributed;
using Exemplar.InContext.Training;
using Exemplar.Training.Recipes;
using Exemplar.Training.Trainer;
using Spectre.Console;

namespace Exemplar.Cli;

/// <summary>
/// <c>exemplar train</c>: trains a supervised segmentation network from a YAML recipe, in one process, in
/// <c>--nproc N</c> local processes, or as one rank of a group described by torchrun's environment variables
/// (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT).
/// </summary>
internal static class TrainCommand
{
    internal static Command Create(Option<int?> threads)
    {
        var recipe = new Option<FileInfo>("--recipe") { Description = "The YAML recipe (see recipes/).", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "The run folder: checkpoints/last and best, log.jsonl, curves/*.png, summary.json. Must be empty unless resuming the run in it.", Required = true };
        var resume = new Option<DirectoryInfo?>("--resume") { Description = "Continue from a checkpoint folder (RUN/checkpoints/last), exactly where it stopped." };
        var nproc = new Option<int>("--nproc") { Description = "Train data-parallel in this many local processes (Gloo over 127.0.0.1); the recipe's batch size is per process.", DefaultValueFactory = _ => 1 };
        var command = new Command("train", "Train a segmentation network, or an in-context decoder, from a recipe.") { recipe, output, resume, nproc };
        command.SetAction((result, cancellation) =>
        {
            int processes = result.GetValue(nproc);
            if (processes < 1) throw new ArgumentException($"--nproc {processes}: give at least 1");
            string recipePath = result.GetValue(recipe)!.FullName;
            string outputPath = result.GetValue(output)!.FullName;
            string? resumePath = result.GetValue(resume)?.FullName;
            if (InContextRecipeRunner.IsInContext(recipePath))
            {
                if (processes > 1) throw new ArgumentException($"{recipePath} trains an in-context decoder, which runs in one process: drop --nproc");
                var display = new ProgressDisplay();
                var run = new TrainingRunOptions { OutputDirectory = outputPath, ResumeFrom = resumePath, Callbacks = [display] };
                var trained = display.Run(() => InContextRecipeRunner.Run(recipePath, SharedData.Find("."), run, cancellation));
                string bestDecoder = trained.BestValue is { } v ? $", best mIoU {v.ToString("0.00", CultureInfo.InvariantCulture)} at step {trained.BestStep}" : "";
                Console.WriteLine($"trained {trained.Steps} steps{(trained.StoppedEarly ? " (stopped early)" : "")}{bestDecoder}; decoder {Path.Combine(outputPath, "checkpoints", "best", "model.safetensors")}");
                return Task.FromResult(0);
            }
            var file = RecipeFile.Read(recipePath, SharedData.Find("."));
            var distributed = DistributedOptions.FromEnvironment();
            if (processes > 1 && distributed is null)
            {
                RecipeRunner.CheckOutput(outputPath, resumePath);
                return Task.FromResult(Launch(processes, ExemplarCommand.ThreadCount(result, threads), cancellation));
            }
            using var group = distributed is { WorldSize: > 1 } ? ProcessGroup.Gloo(distributed) : null;
            var progress = new ProgressDisplay();
            var options = new TrainingRunOptions { OutputDirectory = outputPath, ResumeFrom = resumePath, Callbacks = [progress], Group = group };
            var summary = group is null || group.Rank == 0
                ? progress.Run(() => RecipeRunner.Run(file, options, cancellation))
                : RecipeRunner.Run(file, options, cancellation);
            if (group is null || group.Rank == 0)
            {
                string ranks = group is null ? "" : $" on {group.WorldSize} processes";
                string best = summary.BestValue is { } b ? $", best {file.Recipe.Trainer.Monitor} {b.ToString("0.0000", CultureInfo.InvariantCulture)} at step {summary.BestStep}" : "";
                Console.WriteLine($"trained {summary.Steps} steps{ranks}{(summary.StoppedEarly ? " (stopped early)" : "")}{best}; run folder {summary.RunDirectory}");
            }
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>
    /// Starts <paramref name="processes"/> copies of this command (without --nproc) as ranks 0..N-1 on 127.0.0.1, each
    /// with its share of the threads, and waits for all; when one fails the others are stopped.
    /// </summary>
    private static int Launch(int processes, int threads, CancellationToken cancellation)
    {
        int port = FreePort();
        int perProcess = Math.Max(1, threads / processes);
        var args = Without(Environment.GetCommandLineArgs().Skip(1), "--nproc", "--threads").ToList();
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program to start for the workers");
        bool viaDotnet = Path.GetFileNameWithoutExtension(host) == "dotnet";
        var workers = new List<Process>();
        try
        {
            for (int rank = 0; rank < processes; rank++)
            {
                var start = new ProcessStartInfo(host) { UseShellExecute = false };
                if (viaDotnet) start.ArgumentList.Add(typeof(TrainCommand).Assembly.Location);
                foreach (string a in args) start.ArgumentList.Add(a);
                start.ArgumentList.Add("--threads");
                start.ArgumentList.Add(perProcess.ToString(CultureInfo.InvariantCulture));
                start.Environment["RANK"] = rank.ToString(CultureInfo.InvariantCulture);
                start.Environment["LOCAL_RANK"] = rank.ToString(CultureInfo.InvariantCulture);
                start.Environment["WORLD_SIZE"] = processes.ToString(CultureInfo.InvariantCulture);
                start.Environment["MASTER_ADDR"] = "127.0.0.1";
                start.Environment["MASTER_PORT"] = port.ToString(CultureInfo.InvariantCulture);
                workers.Add(Process.Start(start) ?? throw new InvalidOperationException($"could not start rank {rank}"));
            }
            Terminal.Note($"training on {processes} processes (127.0.0.1:{port}, {perProcess} threads each)");
            int failed = WaitAll(workers, cancellation);
            return failed;
        }
        finally
        {
            foreach (var w in workers)
            {
                if (!w.HasExited) w.Kill(entireProcessTree: true);
                w.Dispose();
            }
        }
    }

    /// <summary>Waits for every worker; returns 0, or the exit code of the first that failed (the others are stopped then).</summary>
    private static int WaitAll(List<Process> workers, CancellationToken cancellation)
    {
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            var failed = workers.FirstOrDefault(w => w.HasExited && w.ExitCode != 0);
            if (failed is not null)
            {
                int rank = workers.IndexOf(failed);
                Console.Error.WriteLine($"error: rank {rank} of {workers.Count} failed (exit code {failed.ExitCode}); stopping the others");
                return failed.ExitCode;
            }
            if (workers.All(w => w.HasExited)) return 0;
            Thread.Sleep(100);
        }
    }

    /// <summary>The arguments without the named options (and their values, separate or after '=').</summary>
    private static IEnumerable<string> Without(IEnumerable<string> args, params string[] options)
    {
        bool skipValue = false;
        foreach (string a in args)
        {
            if (skipValue)
            {
                skipValue = false;
                continue;
            }
            if (options.Contains(a)) skipValue = true;
            else if (!options.Any(o => a.StartsWith(o + "=", StringComparison.Ordinal))) yield return a;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A progress bar with loss, learning rate, it/s and time left on a terminal; one line per logged step when redirected.</summary>
    private sealed class ProgressDisplay : ITrainerCallback
    {
        private readonly IAnsiConsole _console = Terminal.Errors();
        private ProgressTask? _task;

        public T Run<T>(Func<T> work)
        {
            if (!_console.Profile.Capabilities.Interactive) return work();
            return _console.Progress()
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    _task = ctx.AddTask("training", autoStart: false);
                    return work();
                });
        }

        public void OnStart(TrainingStart start)
        {
            string from = start.StartStep > 0 ? $", resuming at step {start.StartStep}" : "";
            if (_task is null)
            {
                _console.WriteLine($"training {start.TotalSteps} steps ({start.StepsPerEpoch} per epoch){from}");
                return;
            }
            _task.MaxValue = start.TotalSteps;
            _task.Value = start.StartStep;
            _task.StartTask();
        }

        public void OnStep(StepRecord r)
        {
            string line = string.Create(CultureInfo.InvariantCulture,
                $"step {r.Step}/{r.TotalSteps} epoch {r.Epoch} loss {r.Loss:0.0000} lr {r.LearningRate:0.00e+0} {r.StepsPerSecond:0.00} it/s");
            if (_task is null)
            {
                _console.WriteLine(line + string.Create(CultureInfo.InvariantCulture, $" eta {TimeSpan.FromSeconds(double.IsFinite(r.EtaSeconds) ? r.EtaSeconds : 0):hh\\:mm\\:ss}"));
                return;
            }
            _task.Description = Markup.Escape(line);
            _task.Value = r.Step;
        }

        public void OnValidation(ValidationRecord r)
        {
            string metrics = string.Join(" ", r.Metrics.Where(kv => !kv.Key.Contains('.', StringComparison.Ordinal)).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:0.0000}")));
            string line = $"validation at step {r.Step}: {metrics}{(r.IsBest ? " (best)" : "")}{(r.StopsEarly ? " — stopping early" : "")}";
            _console.MarkupLine(_task is null ? Markup.Escape(line) : $"[grey]{Markup.Escape(line)}[/]");
        }
    }
}
