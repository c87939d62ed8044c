using System.CommandLine;
using System.Globalization;
using Exemplar.Training.Recipes;
using Exemplar.Training.Trainer;
using Spectre.Console;

namespace Exemplar.Cli;

/// <summary><c>exemplar train</c>: trains a supervised segmentation network from a YAML recipe.</summary>
internal static class TrainCommand
{
    internal static Command Create()
    {
        var recipe = new Option<FileInfo>("--recipe") { Description = "The YAML recipe (see recipes/).", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "The run folder: checkpoints/last and best, log.jsonl, curves/*.png, summary.json. Must be empty unless resuming the run in it.", Required = true };
        var resume = new Option<DirectoryInfo?>("--resume") { Description = "Continue from a checkpoint folder (RUN/checkpoints/last), exactly where it stopped." };
        var command = new Command("train", "Train a segmentation network from a recipe.") { recipe, output, resume };
        command.SetAction((result, cancellation) =>
        {
            var file = RecipeFile.Read(result.GetValue(recipe)!.FullName, SharedData.Find("."));
            var progress = new ProgressDisplay();
            var options = new TrainingRunOptions
            {
                OutputDirectory = result.GetValue(output)!.FullName,
                ResumeFrom = result.GetValue(resume)?.FullName,
                Callbacks = [progress],
            };
            var summary = progress.Run(() => RecipeRunner.Run(file, options, cancellation));
            string best = summary.BestValue is { } b ? $", best {file.Recipe.Trainer.Monitor} {b.ToString("0.0000", CultureInfo.InvariantCulture)} at step {summary.BestStep}" : "";
            Console.WriteLine($"trained {summary.Steps} steps{(summary.StoppedEarly ? " (stopped early)" : "")}{best}; run folder {summary.RunDirectory}");
            return Task.FromResult(0);
        });
        return command;
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
