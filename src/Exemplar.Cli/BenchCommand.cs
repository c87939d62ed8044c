using System.CommandLine;
using Exemplar.Benchmarks;
using Exemplar.Torch;
using Spectre.Console;

namespace Exemplar.Cli;

/// <summary><c>exemplar bench …</c>: benchmarks run side by side with PyTorch.</summary>
internal static class BenchCommand
{
    internal static Command Create()
    {
        var bench = new Command("bench", "Benchmarks, each case measured against PyTorch in the same run.");
        bench.Subcommands.Add(CreateTorch());
        bench.Subcommands.Add(CreateModels());
        return bench;
    }

    private static Command CreateTorch()
    {
        var json = new Option<FileInfo?>("--json") { Description = "Write the results as JSON to this file." };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads (both sides).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var device = new Option<string>("--device") { Description = "cpu or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var quick = new Option<bool>("--quick") { Description = "Fewer iterations: a smoke run, not for reporting." };
        var noPytorch = new Option<bool>("--no-pytorch") { Description = "Measure Exemplar only." };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing --json file." };
        var command = new Command("torch", "Tensor-library overheads: tiny add, ResNet block forward+backward, 1024² matmul.")
        {
            json, threads, device, quick, noPytorch, force,
        };
        command.SetAction(result =>
        {
            var jsonFile = result.GetValue(json);
            if (jsonFile is { Exists: true } && !result.GetValue(force))
            {
                Console.Error.WriteLine($"error: {jsonFile.FullName} exists; pass --force to overwrite it");
                return 2;
            }
            var options = new TorchBenchmarkOptions(result.GetValue(threads), Device.Parse(result.GetValue(device)!), result.GetValue(quick), !result.GetValue(noPytorch));
            var report = TorchBenchmarks.Run(options, message => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(message)}…[/]"));
            Print(report);
            if (jsonFile is not null) File.WriteAllText(jsonFile.FullName, report.ToJson());
            return 0;
        });
        return command;
    }

    private static Command CreateModels()
    {
        var json = new Option<FileInfo?>("--json") { Description = "Write the results as JSON to this file." };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads (both sides).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var quick = new Option<bool>("--quick") { Description = "One timed forward per case: a smoke run, not for reporting." };
        var noPytorch = new Option<bool>("--no-pytorch") { Description = "Measure Exemplar only." };
        var cases = new Option<string[]>("--case") { Description = "Only these cases, e.g. dinov2_vits14_224_b1_float32 (repeatable).", AllowMultipleArgumentsPerToken = true };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing --json file." };
        var command = new Command("models", "Encoder forward passes (DINOv2 ViT-S/B, MobileNetV2) against the same networks in PyTorch.")
        {
            json, threads, quick, noPytorch, cases, force,
        };
        command.SetAction(result =>
        {
            var jsonFile = result.GetValue(json);
            if (jsonFile is { Exists: true } && !result.GetValue(force))
            {
                Console.Error.WriteLine($"error: {jsonFile.FullName} exists; pass --force to overwrite it");
                return 2;
            }
            var selected = result.GetValue(cases);
            var options = new ModelBenchmarkOptions(result.GetValue(threads), result.GetValue(quick), !result.GetValue(noPytorch), selected is { Length: > 0 } ? selected : null);
            var report = ModelBenchmarks.Run(options, message => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(message)}…[/]"));
            Print(report);
            if (jsonFile is not null) File.WriteAllText(jsonFile.FullName, report.ToJson());
            return 0;
        });
        return command;
    }

    private static void Print(BenchmarkReport report)
    {
        bool images = report.Cases.Any(c => c.Images is not null);
        var table = new Table().AddColumns("case", "exemplar ms", "pytorch ms", "ratio");
        if (images) table.AddColumns("exemplar img/s", "pytorch img/s");
        table.Columns[0].NoWrap();
        table.Title = new TableTitle($"{report.Benchmark} on {report.Device}, {report.Threads} thread(s), libtorch {report.LibtorchVersion}, PyTorch {report.PytorchVersion ?? "not run"}");
        foreach (var c in report.Cases)
        {
            var row = new List<string> { c.Name, $"{c.ExemplarMs:F4}", c.PytorchMs is { } p ? $"{p:F4}" : "-", c.Ratio is { } r ? $"{r:F3}" : "-" };
            if (images) row.AddRange([c.ExemplarImagesPerSecond is { } e ? $"{e:F2}" : "-", c.PytorchImagesPerSecond is { } q ? $"{q:F2}" : "-"]);
            table.AddRow([.. row]);
        }
        AnsiConsole.Write(table);
    }
}
