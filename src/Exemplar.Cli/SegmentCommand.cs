using System.CommandLine;
using System.Text.Json;
using Exemplar.InContext;
using Exemplar.Torch;
using Exemplar.Torch.IO;
using Exemplar.Torch.Serialization;
using Exemplar.Vision.IO;
using Exemplar.Vision.Visualization;
using Spectre.Console;

namespace Exemplar.Cli;

/// <summary>
/// <c>exemplar segment</c>: segments what the examples show in target images, writing a mask PNG (and optionally an
/// overlay) per target; <c>exemplar encode-prompts</c>: encodes examples once into a prompt file for later runs.
/// </summary>
internal static class SegmentCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    internal static Command Create()
    {
        var inputs = new CliInputs();
        var prompts = new Option<FileInfo?>("--prompts") { Description = "Encoded examples from exemplar encode-prompts (instead of --example/--mask)." };
        var target = new Option<string[]>("--target") { Description = "Target images or folders of them (jpg, png); repeatable.", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the masks (created if needed).", Required = true };
        var overlay = new Option<bool>("--overlay") { Description = "Also write <name>_overlay.png: the mask drawn over the image." };
        var force = new Option<bool>("--force") { Description = "Overwrite existing outputs." };
        var threshold = new Option<double?>("--threshold") { Description = "Probability above which a pixel belongs to a class (0 to 1; default 0.5): lower finds more." };
        var json = new Option<FileInfo?>("--json") { Description = "Write per-target results (classes, area, confidence, object boxes) as JSON to this file." };
        var keepGoing = new Option<bool>("--keep-going") { Description = "Skip targets that fail, list them at the end, and exit with status 2 if any failed." };
        var skipExisting = new Option<bool>("--skip-existing") { Description = "Skip targets whose outputs exist (resume an interrupted run)." };
        var recursive = new Option<bool>("--recursive") { Description = "Also take images from subfolders of --target folders (outputs keep the subfolders)." };
        var include = new Option<string[]>("--include") { Description = "Only target files whose name matches one of these patterns, e.g. '*.jpg'.", AllowMultipleArgumentsPerToken = true };
        var exclude = new Option<string[]>("--exclude") { Description = "Skip target files whose name matches one of these patterns, e.g. '*_mask.png'.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("segment", "Segment what the examples show in new images.")
        {
            prompts, target, output, overlay, force, threshold, json, keepGoing, skipExisting, recursive, include, exclude,
        };
        inputs.AddPromptOptions(command);
        inputs.AddModelOptions(command);
        var engine = new EngineOptions();
        engine.AddTo(command);
        command.SetAction(result =>
        {
            var engineKind = engine.Resolve(result, inputs);
            if (result.GetValue(prompts) is not null && (result.GetValue(inputs.Examples) is { Length: > 0 } || result.GetValue(inputs.Masks) is { Length: > 0 } || result.GetValue(inputs.Classes) is { Length: > 0 }))
            {
                throw new ArgumentException("give either --prompts or --example/--mask/--class, not both");
            }
            bool overwrite = result.GetValue(force);
            if (overwrite && result.GetValue(skipExisting)) throw new ArgumentException("give either --force or --skip-existing, not both");
            if (result.GetValue(threshold) is { } t && t is not (> 0 and < 1)) throw new ArgumentException($"--threshold {t}: give a probability between 0 and 1 (both excluded)");
            var jsonFile = result.GetValue(json);
            if (jsonFile is { Exists: true } && !overwrite) throw new IOException($"{jsonFile.FullName} exists; pass --force to overwrite it");
            var selection = new TargetSelection(result.GetValue(recursive), result.GetValue(include) ?? [], result.GetValue(exclude) ?? []);
            var outDir = result.GetValue(output)!;
            bool writeOverlay = result.GetValue(overlay);
            var plans = result.GetValue(target)!.SelectMany(selection.List).Select(t => new OutputPlan(t, outDir.FullName, writeOverlay)).ToList();
            CheckNoCollisions(plans, result, inputs, prompts);
            int skipped = 0;
            if (result.GetValue(skipExisting))
            {
                skipped = plans.RemoveAll(p => p.Files.All(File.Exists));
                if (skipped > 0) Console.Error.WriteLine($"skipping {skipped} target(s) whose outputs exist");
            }
            else if (!overwrite)
            {
                var existing = plans.SelectMany(p => p.Files).Where(AtomicFile.Exists).ToList();
                if (existing.Count > 0) throw new IOException($"{existing.Count} output file(s) exist, e.g. {existing[0]}; pass --force to overwrite them, or --skip-existing to resume");
            }

            // The examples are read (and their masks checked) before the weights: mistakes there show in a moment.
            using var examples = result.GetValue(prompts) is null ? LoadPrompts(inputs, result) : null;
            using var segmenter = Prompted(engineKind, engine, inputs, result, examples, result.GetValue(prompts), result.GetValue(threshold));
            using var noGrad = LibTorch.NoGrad();
            var folders = new CreatedFolders();
            var reports = new List<TargetReport>();
            var failures = new List<TargetFailure>();
            try
            {
                Terminal.Progress(plans.Count, $"segmenting {plans.Count} image(s)", done =>
                {
                    foreach (var plan in plans)
                    {
                        try
                        {
                            reports.Add(SegmentOne(plan, segmenter, overwrite, folders));
                        }
                        catch (Exception e) when (result.GetValue(keepGoing) && e is not OutOfMemoryException)
                        {
                            failures.Add(new TargetFailure(plan.Target, e.Message));
                        }
                        done(reports.Count + failures.Count);
                    }
                    return plans.Count;
                });
            }
            finally
            {
                folders.RemoveEmpty();
            }
            foreach (var report in reports) Console.WriteLine(report.Summary());
            if (jsonFile is not null)
            {
                File.WriteAllText(jsonFile.FullName, JsonSerializer.Serialize(new SegmentReport(reports, failures, skipped, segmenter.Threshold), Json));
            }
            Console.WriteLine($"wrote {reports.Count} mask(s) to {outDir.FullName}");
            if (reports.Count > 0 && reports.All(r => r.Classes.All(c => c.Area == 0)))
            {
                Console.Error.WriteLine($"warning: every target came out empty: nothing above the threshold {segmenter.Threshold} in {reports.Count} image(s); " +
                                        "try a lower --threshold, more or clearer examples, or check that the masks mark the object");
            }
            if (failures.Count == 0) return 0;
            Console.Error.WriteLine($"{failures.Count} of {failures.Count + reports.Count} target(s) failed:");
            foreach (var f in failures) Console.Error.WriteLine($"  {f.Error}");
            return 2;
        });
        return command;
    }

    private static TargetReport SegmentOne(OutputPlan plan, IPromptedSegmenter segmenter, bool overwrite, CreatedFolders folders)
    {
        using var scope = DisposeScope.Begin();
        // The segmenter works at a few hundred pixels: big JPEGs are decoded at 1/2, 1/4 or 1/8 scale (several times
        // faster, a fraction of the memory), and the result is brought back to the file's size for the mask.
        using var decoded = ImageReader.Read(plan.Target, ImageReadOptions.Rgb with { ScaleDownToSide = segmenter.InputSize });
        var image = decoded.Pixels;
        using var segmentation = segmenter.Segment(image, plan.Target);
        bool reduced = decoded.Height != decoded.Info.Height || decoded.Width != decoded.Info.Width;
        using var full = reduced ? segmentation.Resize(decoded.Info.Height, decoded.Info.Width, segmenter.Threshold) : null;
        folders.Ensure(Path.GetDirectoryName(plan.Mask)!);
        Write(plan, image, segmentation, full ?? segmentation, segmenter.ClassNames, overwrite);
        return new TargetReport(plan.Target, plan.Mask, (full ?? segmentation).Describe(segmenter.ClassNames));
    }

    /// <summary>The engine's segmenter with the examples encoded (or a prompt file of that engine loaded).</summary>
    private static IPromptedSegmenter Prompted(EngineKind kind, EngineOptions engine, CliInputs inputs, ParseResult result, PromptSet? examples, FileInfo? promptFile, double? threshold)
    {
        if (kind == EngineKind.Torch)
        {
            var zoo = inputs.LoadSegmenter(result, o => threshold is { } chosen ? o with { Threshold = chosen } : o);
            try
            {
                return new TorchPromptedSegmenter(zoo, examples is null ? PromptFeatures.Load(promptFile!.FullName) : zoo.Segmenter.PromptEncoder.Encode(examples));
            }
            catch
            {
                zoo.Dispose();
                throw;
            }
        }
        var model = engine.LoadModel(result, LibTorch.Threads);
        try
        {
            return new OnnxPromptedSegmenter(model, examples is null ? LoadRuntimePrompt(promptFile!.FullName) : RuntimeExampleSegmenter.Encode(model, examples), engine.SegmentOptions(result, threshold));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>A runtime prompt file; an Exemplar.Torch one (safetensors) is named as such, with the option that reads it.</summary>
    internal static Exemplar.Runtime.Prompt LoadRuntimePrompt(string path)
    {
        try
        {
            return Exemplar.Runtime.Prompt.Load(path);
        }
        catch (InvalidDataException) when (WeightFile.Sniff(path) == WeightFileKind.SafeTensors)
        {
            throw new ArgumentException($"{path} is a prompt file of the Exemplar.Torch engine: segment with --engine torch and the --model and --weights it was encoded with, or write a bundle's prompt (tune --bundle; encode-prompts without --engine torch)");
        }
    }

    internal static Command CreateEncodePrompts()
    {
        var inputs = new CliInputs();
        var output = new Option<FileInfo>("--out") { Description = "The prompt file to write (e.g. prompts.exemplar).", Required = true };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing prompt file." };
        var command = new Command("encode-prompts", "Encode examples once, for many later `exemplar segment --prompts` runs.") { output, force };
        inputs.AddPromptOptions(command);
        inputs.AddModelOptions(command);
        var engine = new EngineOptions();
        engine.AddTo(command, segments: false);
        command.SetAction(result =>
        {
            var engineKind = engine.Resolve(result, inputs);
            var file = result.GetValue(output)!;
            if (AtomicFile.Exists(file.FullName) && !result.GetValue(force)) throw new IOException($"{file.FullName} exists; pass --force to overwrite it");
            using var examples = LoadPrompts(inputs, result);
            if (engineKind == EngineKind.Onnx)
            {
                using var model = engine.LoadModel(result, LibTorch.Threads);
                using var prompt = RuntimeExampleSegmenter.Encode(model, examples);
                prompt.Save(file.FullName, overwrite: result.GetValue(force));
                Console.WriteLine($"encoded {prompt.ExampleCount} example(s), {prompt.Classes.Count} class(es) with {model.Info.Name} into {file.FullName}");
                return 0;
            }
            using var zoo = inputs.LoadSegmenter(result);
            using var features = zoo.Encode(examples);
            features.Save(file.FullName, overwrite: result.GetValue(force));
            Console.WriteLine($"encoded {features.ExampleCount} example(s), {features.ClassNames.Count} class(es) with {zoo.Segmenter.EncoderName} into {file.FullName}");
            return 0;
        });
        return command;
    }

    private static PromptSet LoadPrompts(CliInputs inputs, ParseResult result) =>
        inputs.LoadPrompts(result, warning => Console.Error.WriteLine($"warning: {warning}"));

    /// <summary>
    /// Refuses runs in which two targets would write the same file (a.jpg and a.png, or x.jpg from two folders) or an
    /// output would replace an input, before anything is written.
    /// </summary>
    private static void CheckNoCollisions(List<OutputPlan> plans, ParseResult result, CliInputs inputs, Option<FileInfo?> prompts)
    {
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var plan in plans)
        {
            foreach (var file in plan.Files)
            {
                string full = Path.GetFullPath(file);
                if (outputs.TryGetValue(full, out var other)) throw new ArgumentException($"{plan.Target} and {other} would both be written to {full}; segment them into different --out folders");
                outputs[full] = plan.Target;
            }
        }
        var inputsUsed = plans.Select(p => p.Target)
            .Concat(result.GetValue(inputs.Examples) ?? []).Concat(result.GetValue(inputs.Masks) ?? [])
            .Concat(result.GetValue(prompts) is { } p ? [p.FullName] : []);
        foreach (var input in inputsUsed)
        {
            string full = Path.GetFullPath(input);
            if (outputs.ContainsKey(full)) throw new ArgumentException($"the output {full} would replace an input file; choose another --out folder");
        }
    }

    /// <summary>
    /// Writes the mask at the file's size (<paramref name="segmentation"/>) and the overlay over the decoded pixels
    /// (<paramref name="decoded"/>, at <paramref name="image"/>'s size, smaller for big JPEGs).
    /// </summary>
    private static void Write(OutputPlan plan, Tensor image, SegmentationResult decoded, SegmentationResult segmentation, IReadOnlyList<string> classNames, bool overwrite)
    {
        using var scope = DisposeScope.Begin();
        if (classNames.Count == 1)
        {
            // One class: a plain black/white mask, viewable anywhere.
            ImageWriter.WritePng(plan.Mask, (segmentation.LabelMap.To(DType.UInt8) * 255).Unsqueeze(0), overwrite);
        }
        else
        {
            ImageWriter.WriteIndexedPng(plan.Mask, segmentation.LabelMap.To(DType.UInt8), ImagePalette.Voc, overwrite);
        }
        if (plan.Overlay is { } overlayPath)
        {
            // One class: black or white contours, visible on objects of the mask's own colour; several: a legend.
            var picture = classNames.Count == 1
                ? MaskOverlay.Draw(image, decoded.LabelMap, OverlayOptions.SingleClass)
                : Captions.AddLegend(MaskOverlay.Draw(image, decoded.LabelMap), classNames);
            ImageWriter.WritePng(overlayPath, picture, overwrite);
        }
    }

    /// <summary>The files written for one target (in the subfolder it was found in, under --recursive).</summary>
    private sealed record OutputPlan(string Target, string Mask, string? Overlay)
    {
        public OutputPlan(TargetFile target, string folder, bool overlay)
            : this(target.Path, Path.Combine(folder, target.Subfolder, Path.GetFileNameWithoutExtension(target.Path) + ".png"),
                overlay ? Path.Combine(folder, target.Subfolder, Path.GetFileNameWithoutExtension(target.Path) + "_overlay.png") : null)
        {
        }

        public IEnumerable<string> Files => Overlay is null ? [Mask] : [Mask, Overlay];
    }
}
