using System.CommandLine;
using Exemplar.InContext;
using Exemplar.Torch;
using Exemplar.Torch.IO;
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
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png"];

    internal static Command Create()
    {
        var inputs = new CliInputs();
        var prompts = new Option<FileInfo?>("--prompts") { Description = "Encoded examples from exemplar encode-prompts (instead of --example/--mask)." };
        var target = new Option<string[]>("--target") { Description = "Target images or folders of them (jpg, png); repeatable.", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the masks (created if needed).", Required = true };
        var overlay = new Option<bool>("--overlay") { Description = "Also write <name>_overlay.png: the mask drawn over the image." };
        var force = new Option<bool>("--force") { Description = "Overwrite existing outputs." };
        var command = new Command("segment", "Segment what the examples show in new images.") { prompts, target, output, overlay, force };
        inputs.AddPromptOptions(command);
        inputs.AddModelOptions(command);
        command.SetAction(result =>
        {
            if (result.GetValue(prompts) is not null && (result.GetValue(inputs.Examples) is { Length: > 0 } || result.GetValue(inputs.Masks) is { Length: > 0 } || result.GetValue(inputs.Classes) is { Length: > 0 }))
            {
                throw new ArgumentException("give either --prompts or --example/--mask/--class, not both");
            }
            var targets = result.GetValue(target)!.SelectMany(ListTargets).ToList();
            var outDir = result.GetValue(output)!;
            bool writeOverlay = result.GetValue(overlay);
            var plans = targets.Select(t => new OutputPlan(t, outDir.FullName, writeOverlay)).ToList();
            CheckNoCollisions(plans, result, inputs, prompts);
            if (!result.GetValue(force))
            {
                var existing = plans.SelectMany(p => p.Files).Where(AtomicFile.Exists).ToList();
                if (existing.Count > 0) throw new IOException($"{existing.Count} output file(s) exist, e.g. {existing[0]}; pass --force to overwrite them");
            }
            Directory.CreateDirectory(outDir.FullName);

            var (encoder, name) = inputs.LoadEncoder(result);
            using var _ = encoder;
            var segmenter = new Segmenter(encoder, name, SegmenterOptions.For(encoder));
            using var features = result.GetValue(prompts) is { } file ? PromptFeatures.Load(file.FullName) : EncodeFromExamples(inputs, result, segmenter);
            using var noGrad = LibTorch.NoGrad();
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn()).Start(ctx =>
            {
                var task = ctx.AddTask($"segmenting {plans.Count} image(s)", maxValue: plans.Count);
                foreach (var plan in plans)
                {
                    using var scope = DisposeScope.Begin();
                    var image = ImageReader.ReadTensor(plan.Target, ImageReadOptions.Rgb);
                    SegmentationResult segmentation;
                    try
                    {
                        segmentation = segmenter.Segment(features, image);
                    }
                    catch (TorchException e)
                    {
                        throw new InvalidOperationException($"{plan.Target}: {e.Message}", e);
                    }
                    using (segmentation) Write(plan, image, segmentation, features.ClassNames.Count, result.GetValue(force));
                    task.Increment(1);
                }
            });
            Console.WriteLine($"wrote {plans.Count} mask(s) to {outDir.FullName}");
            return 0;
        });
        return command;
    }

    internal static Command CreateEncodePrompts()
    {
        var inputs = new CliInputs();
        var output = new Option<FileInfo>("--out") { Description = "The prompt file to write (e.g. prompts.exemplar).", Required = true };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing prompt file." };
        var command = new Command("encode-prompts", "Encode examples once, for many later `exemplar segment --prompts` runs.") { output, force };
        inputs.AddPromptOptions(command);
        inputs.AddModelOptions(command);
        command.SetAction(result =>
        {
            var file = result.GetValue(output)!;
            if (AtomicFile.Exists(file.FullName) && !result.GetValue(force)) throw new IOException($"{file.FullName} exists; pass --force to overwrite it");
            var (encoder, name) = inputs.LoadEncoder(result);
            using var _ = encoder;
            var segmenter = new Segmenter(encoder, name, SegmenterOptions.For(encoder));
            using var features = EncodeFromExamples(inputs, result, segmenter);
            features.Save(file.FullName, overwrite: result.GetValue(force));
            Console.WriteLine($"encoded {features.ExampleCount} example(s), {features.ClassNames.Count} class(es) with {name} into {file.FullName}");
            return 0;
        });
        return command;
    }

    private static PromptFeatures EncodeFromExamples(CliInputs inputs, ParseResult result, Segmenter segmenter)
    {
        using var set = inputs.LoadPrompts(result);
        return segmenter.PromptEncoder.Encode(set);
    }

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

    private static List<string> ListTargets(string target)
    {
        if (File.Exists(target)) return [target];
        if (!Directory.Exists(target)) throw new FileNotFoundException($"{target}: no such image or folder");
        var files = Directory.EnumerateFiles(target)
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal)
            .ToList();
        return files.Count > 0 ? files : throw new ArgumentException($"{target}: no .jpg or .png images in this folder");
    }

    private static void Write(OutputPlan plan, Tensor image, SegmentationResult segmentation, int classes, bool overwrite)
    {
        using var scope = DisposeScope.Begin();
        if (classes == 1)
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
            ImageWriter.WritePng(overlayPath, MaskOverlay.Draw(image, segmentation.LabelMap), overwrite);
        }
    }

    /// <summary>The files written for one target.</summary>
    private sealed record OutputPlan(string Target, string Mask, string? Overlay)
    {
        public OutputPlan(string target, string folder, bool overlay)
            : this(target, Path.Combine(folder, Path.GetFileNameWithoutExtension(target) + ".png"),
                overlay ? Path.Combine(folder, Path.GetFileNameWithoutExtension(target) + "_overlay.png") : null)
        {
        }

        public IEnumerable<string> Files => Overlay is null ? [Mask] : [Mask, Overlay];
    }
}
