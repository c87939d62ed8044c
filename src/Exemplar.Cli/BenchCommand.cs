using System.CommandLine;
using Exemplar.Benchmarks;
using Exemplar.Torch;
using Exemplar.Torch.IO;
using Spectre.Console;

namespace Exemplar.Cli;

/// <summary><c>exemplar bench …</c>: benchmarks run side by side with PyTorch.</summary>
internal static class BenchCommand
{
    internal static Command Create(Option<int?> threads)
    {
        var bench = new Command("bench", "Benchmarks, each case measured against PyTorch in the same run.");
        bench.Subcommands.Add(CreateTorch(threads));
        bench.Subcommands.Add(CreateModels(threads));
        bench.Subcommands.Add(CreateTrain(threads));
        bench.Subcommands.Add(CreateSegment(threads));
        bench.Subcommands.Add(CreateBundles(threads));
        bench.Subcommands.Add(CreateEngines(threads));
        bench.Subcommands.Add(CreateDecode());
        bench.Subcommands.Add(CreateFuzz());
        bench.Subcommands.Add(CreateWeb(threads));
        return bench;
    }

    private static Command CreateTorch(Option<int?> threads)
    {
        var json = new Option<FileInfo?>("--json") { Description = "Write the results as JSON to this file." };
        var device = new Option<string>("--device") { Description = "cpu or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var quick = new Option<bool>("--quick") { Description = "Fewer iterations: a smoke run, not for reporting." };
        var noPytorch = new Option<bool>("--no-pytorch") { Description = "Measure Exemplar only." };
        var rounds = new Option<int>("--rounds") { Description = "Rounds alternating PyTorch and Exemplar (medians over rounds are reported).", DefaultValueFactory = _ => 3 };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing --json file." };
        var command = new Command("torch", "Tensor-library overheads: tiny add, ResNet block forward+backward, 1024² matmul.")
        {
            json, device, quick, noPytorch, rounds, force,
        };
        command.SetAction(result =>
        {
            var jsonFile = result.GetValue(json);
            CheckOutput(jsonFile, result.GetValue(force));
            var options = new TorchBenchmarkOptions(ExemplarCommand.ThreadCount(result, threads), Device.Parse(result.GetValue(device)!), result.GetValue(quick), !result.GetValue(noPytorch), result.GetValue(rounds));
            var report = TorchBenchmarks.Run(options, message => Terminal.Note($"{message}…"));
            Print(report);
            if (jsonFile is not null) AtomicFile.WriteAllText(jsonFile.FullName, report.ToJson(), result.GetValue(force));
            return 0;
        });
        return command;
    }

    private static Command CreateModels(Option<int?> threads)
    {
        var json = new Option<FileInfo?>("--json") { Description = "Write the results as JSON to this file." };
        var quick = new Option<bool>("--quick") { Description = "One timed forward per case: a smoke run, not for reporting." };
        var noPytorch = new Option<bool>("--no-pytorch") { Description = "Measure Exemplar only." };
        var cases = new Option<string[]>("--case") { Description = "Only these cases, e.g. dinov2_vits14_224_b1_float32 (repeatable).", AllowMultipleArgumentsPerToken = true };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing --json file." };
        var command = new Command("models", "Encoder forward passes (DINOv2 ViT-S/B, MobileNetV2) against the same networks in PyTorch.")
        {
            json, quick, noPytorch, cases, force,
        };
        command.SetAction(result =>
        {
            var jsonFile = result.GetValue(json);
            CheckOutput(jsonFile, result.GetValue(force));
            var selected = result.GetValue(cases);
            var options = new ModelBenchmarkOptions(ExemplarCommand.ThreadCount(result, threads), result.GetValue(quick), !result.GetValue(noPytorch), selected is { Length: > 0 } ? selected : null);
            var report = ModelBenchmarks.Run(options, message => Terminal.Note($"{message}…"));
            Print(report);
            if (jsonFile is not null) AtomicFile.WriteAllText(jsonFile.FullName, report.ToJson(), result.GetValue(force));
            return 0;
        });
        return command;
    }

    private static Command CreateBundles(Option<int?> threads)
    {
        var bundles = new Option<FileInfo[]>("--bundle") { Description = "Supervised bundles to time, side by side (repeatable; speed-ups are relative to the first).", Required = true, AllowMultipleArgumentsPerToken = true };
        var image = new Option<FileInfo>("--image") { Description = "The image each bundle segments.", Required = true };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs first.", DefaultValueFactory = _ => 3 };
        var runs = new Option<int>("--runs") { Description = "Timed runs (the median is reported).", DefaultValueFactory = _ => 20 };
        var json = new Option<FileInfo?>("--json") { Description = "Write {\"cases\":[{name, precision, median_ms, speedup}]} to this file." };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing --json file." };
        var command = new Command("bundles", "Time supervised bundles (e.g. a model's float and int8 exports) segmenting one image in Exemplar.Runtime.")
        {
            bundles, image, warmup, runs, json, force,
        };
        command.SetAction(result =>
        {
            var jsonFile = result.GetValue(json);
            CheckOutput(jsonFile, result.GetValue(force));
            int n = ExemplarCommand.ThreadCount(result, threads);
            if (result.GetValue(runs) < 1 || result.GetValue(warmup) < 0) throw new ArgumentException("--runs must be at least 1 and --warmup at least 0");
            string path = result.GetValue(image)!.FullName;
            var timings = BundleBenchmark.Run([.. result.GetValue(bundles)!.Select(b => b.FullName)], path, n, result.GetValue(warmup), result.GetValue(runs));
            var table = new Spectre.Console.Table().AddColumns("bundle", "precision", "median ms", "speed-up");
            foreach (var t in timings)
            {
                table.AddRow(Spectre.Console.Markup.Escape(t.Bundle), t.Precision, t.MedianMilliseconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture),
                    (timings[0].MedianMilliseconds / t.MedianMilliseconds).ToString("F2", System.Globalization.CultureInfo.InvariantCulture));
            }
            Terminal.Output().Write(table);
            if (jsonFile is not null) AtomicFile.WriteAllText(jsonFile.FullName, BundleBenchmark.ToJson(timings, n, path), result.GetValue(force));
            return 0;
        });
        return command;
    }

    private static Command CreateTrain(Option<int?> threads)
    {
        var json = new Option<FileInfo?>("--json") { Description = "Write {\"cases\":[{name, exemplar_ms, pytorch_ms, ratio}]} to this file." };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps per case first (the first builds AdamW's state).", DefaultValueFactory = _ => 2 };
        var steps = new Option<int>("--steps") { Description = "Timed steps per case (the median is reported).", DefaultValueFactory = _ => 5 };
        var noPytorch = new Option<bool>("--no-pytorch") { Description = "Measure Exemplar only." };
        var cases = new Option<string[]>("--case")
        {
            Description = "Only these cases, lraspp_mobilenetv2_SIZE_bBATCH (repeatable; default: lraspp_mobilenetv2_256_b8, lraspp_mobilenetv2_512_b8).",
            AllowMultipleArgumentsPerToken = true,
        };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing --json file." };
        var command = new Command("train", "Training steps of LR-ASPP MobileNetV2 (11 classes; forward, cross-entropy, backward, AdamW) against the same network in PyTorch.")
        {
            json, warmup, steps, noPytorch, cases, force,
        };
        command.SetAction(result =>
        {
            var jsonFile = result.GetValue(json);
            CheckOutput(jsonFile, result.GetValue(force));
            var selected = result.GetValue(cases);
            var options = new TrainBenchmarkOptions(ExemplarCommand.ThreadCount(result, threads), result.GetValue(warmup), result.GetValue(steps),
                !result.GetValue(noPytorch), selected is { Length: > 0 } ? selected : null);
            var report = TrainBenchmarks.Run(options, message => Terminal.Note($"{message}…"));
            Print(report);
            if (jsonFile is not null) AtomicFile.WriteAllText(jsonFile.FullName, report.ToJson(), result.GetValue(force));
            return 0;
        });
        return command;
    }

    private static Command CreateSegment(Option<int?> threads)
    {
        var models = new Option<string[]>("--model") { Description = "Zoo models to time (default: mobilenetv2, dinov2_vits14, dinov2_vitb14).", AllowMultipleArgumentsPerToken = true };
        var weights = new Option<string[]>("--weights") { Description = "Weight files, one per --model in order ('random' for random weights).", AllowMultipleArgumentsPerToken = true };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per measurement (the median is reported).", DefaultValueFactory = _ => 5 };
        var json = new Option<FileInfo?>("--json") { Description = "Write the results as JSON to this file." };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing --json file." };
        var engine = new Option<string>("--engine") { Description = "onnx: the runtime with a bundle, frame after frame (decode, segment, mask PNG); torch: Exemplar.Torch per encoder.", DefaultValueFactory = _ => "onnx" };
        var bundle = new Option<FileInfo?>("--bundle") { Description = "onnx: the .exemplar bundle (default: models/mobilenetv2-int8.exemplar)." };
        var frames = new Option<DirectoryInfo?>("--frames") { Description = "onnx: a DAVIS sequence folder of JPEG frames (default: ../shared davis2016 dog, 854x480); its annotation 00000.png is the example mask." };
        var command = new Command("segment", "Segmentation speed: the runtime's frames per second and latency (default), or Exemplar.Torch per encoder.") { engine, bundle, frames, models, weights, repeats, json, force };
        command.SetAction(result =>
        {
            CheckOutput(result.GetValue(json), result.GetValue(force));
            if (result.GetValue(engine) == "onnx")
            {
                string folder = result.GetValue(frames)?.FullName ?? SharedData.Find("data/davis2016/JPEGImages/480p/dog")
                    ?? throw new ArgumentException("give --frames DIR (../shared/data/davis2016 is absent)");
                string mask = folder.Replace("JPEGImages", "Annotations", StringComparison.Ordinal) + "/00000.png";
                if (!File.Exists(mask)) throw new FileNotFoundException($"{mask}: the first frame's annotation (the example mask) is missing");
                var all = Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).ToList();
                var run = RuntimeSegmentBenchmark.Run(result.GetValue(bundle)?.FullName, all, mask, ExemplarCommand.ThreadCount(result, threads));
                AnsiConsole.MarkupLine(Markup.Escape($"{run.Bundle}: {run.Targets} frames {run.Width}x{run.Height}, {run.TargetsPerSecond:F1} targets/s, p50 {run.P50Ms:F1} ms, p99 {run.P99Ms:F1} ms, encode {run.EncodeMs:F0} ms, peak RSS {run.PeakRssMegabytes:F0} MB, {run.Threads} threads"));
                if (result.GetValue(json) is { } output) File.WriteAllText(output.FullName, System.Text.Json.JsonSerializer.Serialize(run, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            if (result.GetValue(engine) != "torch") throw new ArgumentException($"--engine must be onnx or torch, not '{result.GetValue(engine)}'");
            var names = result.GetValue(models) is { Length: > 0 } m ? m : ["mobilenetv2", "dinov2_vits14", "dinov2_vitb14"];
            var files = result.GetValue(weights) ?? [];
            var pairs = names.Select((n, i) => (n, i < files.Length && files[i] != "random" ? files[i] : null)).ToList();
            var speeds = SegmentationBenchmarks.Run(pairs, ExemplarCommand.ThreadCount(result, threads), result.GetValue(repeats), message => Terminal.Note($"{message}…"));
            var table = new Table().AddColumns("model", "weights", "input", "encode example ms", "segment target ms", "peak RSS MB");
            foreach (var s in speeds) table.AddRow(s.Model, s.Weights, s.InputSize.ToString(), $"{s.PromptEncodingMs:F1}", $"{s.SegmentMs:F1}", $"{s.PeakRssMegabytes:F0}");
            AnsiConsole.Write(table);
            if (result.GetValue(json) is { } file) AtomicFile.WriteAllText(file.FullName, System.Text.Json.JsonSerializer.Serialize(speeds, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }), result.GetValue(force));
            return 0;
        });
        return command;
    }

    private static Command CreateEngines(Option<int?> threads)
    {
        var json = new Option<FileInfo?>("--json") { Description = "Write {\"cases\":[{name, onnxruntime_ms, exemplar_torch_ms, pytorch_ms, speedup_vs_pytorch}]} to this file." };
        var int8 = new Option<FileInfo?>("--int8-weights") { Description = "mobilenetv2-12-int8.onnx, for the int8 case (default: ../shared/weights)." };
        var repeats = new Option<int>("--repeats") { Description = "Timed forwards per case (the median is reported).", DefaultValueFactory = _ => 3 };
        var noPytorch = new Option<bool>("--no-pytorch") { Description = "Skip the PyTorch reference." };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing --json file." };
        var command = new Command("engines", "Encoders in ONNX Runtime, Exemplar.Torch and PyTorch eager, at the segmenter's input size, batch 1 and 8.")
        {
            json, int8, repeats, noPytorch, force,
        };
        command.SetAction(result =>
        {
            var jsonFile = result.GetValue(json);
            CheckOutput(jsonFile, result.GetValue(force));
            string? int8File = result.GetValue(int8)?.FullName ?? SharedData.Find("weights/mobilenetv2-12-int8.onnx");
            var report = EngineBenchmarks.Run(ExemplarCommand.ThreadCount(result, threads), int8File, !result.GetValue(noPytorch), result.GetValue(repeats),
                message => Terminal.Note($"{message}…"));
            var table = new Table().AddColumns("case", "onnxruntime ms", "exemplar.torch ms", "pytorch ms", "speed-up vs pytorch");
            table.Title = new TableTitle($"{report.Threads} thread(s), PyTorch {report.PytorchVersion ?? "not run"}");
            foreach (var c in report.Cases)
            {
                table.AddRow(c.Name, $"{c.OnnxRuntimeMs:F1}", c.ExemplarTorchMs is { } e ? $"{e:F1}" : "-", c.PytorchMs is { } p ? $"{p:F1}" : "-", c.SpeedupVsPytorch is { } s ? $"{s:F2}x" : "-");
            }
            AnsiConsole.Write(table);
            if (jsonFile is not null) File.WriteAllText(jsonFile.FullName, System.Text.Json.JsonSerializer.Serialize(report, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return command;
    }

    private static Command CreateDecode()
    {
        var folder = new Option<DirectoryInfo[]>("--folder") { Description = "Folders of images to decode (all .jpg and .png files in them).", Required = true, AllowMultipleArgumentsPerToken = true };
        var limit = new Option<int>("--limit") { Description = "At most this many files per format.", DefaultValueFactory = _ => 200 };
        var command = new Command("decode", "JPEG and PNG decoding speed (megapixels per second, one thread).") { folder, limit };
        command.SetAction(result =>
        {
            var all = result.GetValue(folder)!.SelectMany(d => Directory.EnumerateFiles(d.FullName, "*", SearchOption.AllDirectories)).Order(StringComparer.Ordinal).ToList();
            var table = new Table().AddColumns("format", "files", "MP/s", "ms per image");
            foreach (var ext in new[] { ".jpg", ".png" })
            {
                var files = all.Where(f => f.EndsWith(ext, StringComparison.OrdinalIgnoreCase)).Take(result.GetValue(limit)).ToList();
                if (files.Count == 0) continue;
                var speed = Exemplar.Vision.IO.DecodeBenchmark.Measure(files);
                table.AddRow(ext, files.Count.ToString(), $"{speed.MegapixelsPerSecond:F1}", $"{speed.MillisecondsPerDecode:F2}");
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static Command CreateFuzz()
    {
        var cases = new Option<int>("--cases") { Description = "Mutants in all, shared between images, checkpoints and prompt files.", DefaultValueFactory = _ => 30000 };
        var seed = new Option<int>("--seed") { Description = "Random seed of the mutations (a run is reproducible).", DefaultValueFactory = _ => 1 };
        var corpus = new Option<DirectoryInfo[]>("--corpus") { Description = "Folders whose .jpg/.png/.safetensors/.pth/.pt/.exemplar files (up to 8 MB) are mutated too, e.g. ../shared/fixtures.", AllowMultipleArgumentsPerToken = true };
        var json = new Option<FileInfo?>("--json") { Description = "Write the results as JSON to this file." };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing --json file." };
        var command = new Command("fuzz", "Seeded damaged copies of images, checkpoints and prompt files, loaded in-process: only clean format errors may come out (exit 1 otherwise).")
        {
            cases, seed, corpus, json, force,
        };
        command.SetAction(result =>
        {
            CheckOutput(result.GetValue(json), result.GetValue(force));
            var folders = (result.GetValue(corpus) ?? []).Select(d => d.Exists ? d.FullName : throw new DirectoryNotFoundException($"{d.FullName}: no such folder")).ToList();
            var results = FuzzBenchmarks.Run(result.GetValue(cases), result.GetValue(seed), folders, message => Terminal.Note($"{message}…"));
            var table = new Table().AddColumns("kind", "files", "cases", "loaded", "rejected", "failures", "seconds", "max MB per case", "peak working set MB");
            foreach (var r in results)
            {
                table.AddRow(r.Kind, r.Files.ToString(), r.Cases.ToString(), r.Accepted.ToString(), r.Rejected.ToString(), r.Failures.Count.ToString(),
                    $"{r.Seconds:F1}", $"{r.MaxCaseMegabytes:F1}", $"{r.PeakWorkingSetMegabytes:F0}");
            }
            AnsiConsole.Write(table);
            foreach (var failure in results.SelectMany(r => r.Failures)) Console.WriteLine($"FAILURE {failure}");
            if (result.GetValue(json) is { } file)
            {
                AtomicFile.WriteAllText(file.FullName, System.Text.Json.JsonSerializer.Serialize(results, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }), result.GetValue(force));
            }
            return results.Any(r => r.Failures.Count > 0) ? 1 : 0;
        });
        return command;
    }

    private static Command CreateWeb(Option<int?> threads)
    {
        var json = new Option<FileInfo?>("--json") { Description = "Write the results as JSON to this file." };
        var clients = new Option<int>("--clients") { Description = $"Concurrent clients (1-{WebLoadBenchmark.MaxClients}).", DefaultValueFactory = _ => 4 };
        var seconds = new Option<double>("--seconds") { Description = $"How long they post (at most {WebLoadBenchmark.MaxSeconds}).", DefaultValueFactory = _ => 20 };
        var concurrency = new Option<int?>("--concurrency") { Description = "The server's model runs at once (default: half the processors)." };
        var queue = new Option<int>("--queue") { Description = "The server's queue beyond the running requests (more get 429).", DefaultValueFactory = _ => 8 };
        var example = new Option<FileInfo?>("--example") { Description = "Example image (default: samples/perseg/cat_00.jpg)." };
        var mask = new Option<FileInfo?>("--mask") { Description = "Its mask (default: samples/perseg/cat_00.png)." };
        var target = new Option<FileInfo?>("--target") { Description = "The image every request segments (default: samples/perseg/cat_01.jpg)." };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing --json file." };
        var command = new Command("web", "The web server under load: N clients on 127.0.0.1 for T seconds against POST /api/segment (requests/s, p50/p99, errors, peak RSS).")
        {
            json, clients, seconds, concurrency, queue, example, mask, target, force,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            CheckOutput(result.GetValue(json), result.GetValue(force));
            WebLoadBenchmark.CheckBounds(result.GetValue(clients), result.GetValue(seconds));
            byte[] Read(Option<FileInfo?> option, string sample) => File.ReadAllBytes(result.GetValue(option)?.FullName ?? Samples.PathOf(sample));
            var defaults = new Exemplar.Web.ExemplarWebOptions();
            var options = new Exemplar.Web.ExemplarWebOptions
            {
                Port = 0,
                Threads = ExemplarCommand.ThreadCount(result, threads),
                Concurrency = result.GetValue(concurrency) ?? defaults.Concurrency,
                QueueLength = result.GetValue(queue),
            };
            Terminal.Note("starting the server on 127.0.0.1…");
            await using var server = await Exemplar.Web.ExemplarWebApp.StartAsync(options, cancellationToken);
            string prompt = await WebLoadBenchmark.CreatePromptAsync(server.Url, Read(example, "cat_00.jpg"), Read(mask, "cat_00.png"), cancellationToken);
            Terminal.Note($"{result.GetValue(clients)} client(s) for {result.GetValue(seconds)} s against {server.Url}api/segment…");
            var run = await WebLoadBenchmark.RunAsync(server.Url, prompt, Read(target, "cat_01.jpg"), result.GetValue(clients), result.GetValue(seconds), cancellationToken);
            AnsiConsole.MarkupLine(Markup.Escape($"{run.Clients} clients, {run.Seconds:F1} s: {run.RequestsPerSecond:F2} requests/s, p50 {run.P50Ms:F0} ms, p99 {run.P99Ms:F0} ms, " +
                $"{run.Succeeded} ok, {run.Rejected} refused (429), {run.Errors} errors, peak RSS {run.PeakRssMegabytes:F0} MB (server concurrency {options.Concurrency}, queue {options.QueueLength}, {options.Threads} threads)"));
            if (run.FirstError is { } first) AnsiConsole.MarkupLine(Markup.Escape($"first error: {first}"));
            if (result.GetValue(json) is { } file) AtomicFile.WriteAllText(file.FullName, System.Text.Json.JsonSerializer.Serialize(run, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }), result.GetValue(force));
            return run.Errors == 0 ? 0 : 1;
        });
        return command;
    }

    private static void CheckOutput(FileInfo? file, bool force)
    {
        if (file is not null && AtomicFile.Exists(file.FullName) && !force) throw new IOException($"{file.FullName} exists; pass --force to overwrite it");
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
