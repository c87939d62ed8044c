using System.CommandLine;
using System.Globalization;
using Exemplar.InContext.Tuning;
using Exemplar.Torch;
using Exemplar.Torch.IO;

namespace Exemplar.Cli;

/// <summary>
/// <c>exemplar tune</c>: SegGPT's in-context tuning. The examples are encoded with the Exemplar.Torch encoder, their
/// features tuned so that the prompt segments its own examples (leave-one-out, <see cref="PromptTuner"/>), and the
/// tuned prompt written — for <c>--engine torch</c>, or, with <c>--bundle</c>, as a bundle prompt (for
/// <c>segment</c>, <c>track</c> and Exemplar.Runtime): the bundle's own encoding plus what tuning changed.
/// </summary>
internal static class TuneCommand
{
    internal static Command Create()
    {
        var inputs = new CliInputs();
        var output = new Option<FileInfo>("--out") { Description = "The tuned prompt file to write (e.g. tuned.prompt).", Required = true };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps (0: only the logit offsets).", DefaultValueFactory = _ => new PromptTuningOptions().Steps };
        var rate = new Option<double>("--lr") { Description = "Adam's learning rate on the (normalised) example features.", DefaultValueFactory = _ => new PromptTuningOptions().LearningRate };
        var flip = new Option<bool>("--flip") { Description = "Also tune on each example mirrored (twice the targets and the time)." };
        var offset = new Option<double>("--max-offset") { Description = "The widest per-class logit offset tried, before the feature steps (0: none).", DefaultValueFactory = _ => new PromptTuningOptions().MaxLogitOffset };
        var bundle = new Option<FileInfo?>("--bundle") { Description = "Write a prompt for this bundle (it must be exported from the same --model, --weights and --decoder), for segment, track and Exemplar.Runtime; default: a prompt for --engine torch." };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing prompt file." };
        var command = new Command("tune", "Tune a prompt on its own examples (in-context tuning: encoder and decoder frozen).") { output, steps, rate, flip, offset, bundle, force };
        inputs.AddPromptOptions(command);
        inputs.AddModelOptions(command);
        command.SetAction(result =>
        {
            var file = result.GetValue(output)!;
            bool overwrite = result.GetValue(force);
            if (AtomicFile.Exists(file.FullName) && !overwrite) throw new IOException($"{file.FullName} exists; pass --force to overwrite it");
            var options = new PromptTuningOptions { Steps = result.GetValue(steps), LearningRate = result.GetValue(rate), Flip = result.GetValue(flip), MaxLogitOffset = result.GetValue(offset) };
            using var examples = inputs.LoadPrompts(result, warning => Console.Error.WriteLine($"warning: {warning}"));
            using var zoo = inputs.LoadSegmenter(result);
            // The bundle is checked before the tuning, so a bundle it cannot go to costs no tuning time.
            var bundleFile = result.GetValue(bundle);
            using var model = bundleFile is null ? null : Exemplar.Runtime.ExemplarModel.Load(bundleFile.FullName, Exemplar.Runtime.RuntimeOptions.ForDevice("cpu", LibTorch.Threads));
            if (model is not null) TunedBundlePrompt.CheckFits(model, bundleFile!.FullName, zoo.Segmenter);
            using var tuned = new PromptTuner(zoo.Segmenter).Tune(examples, options);
            var features = tuned.Prompt;
            string summary = string.Create(CultureInfo.InvariantCulture,
                $"tuned {features.ExampleCount} example(s) in {tuned.Seconds:F1} s: leave-one-out loss {tuned.InitialLoss:F4} → {tuned.FinalLoss:F4}, logit offset(s) {string.Join(", ", features.LogitOffsets.Select(b => b.ToString("+0.00;-0.00;0", CultureInfo.InvariantCulture)))}");
            if (model is null)
            {
                features.Save(file.FullName, overwrite);
                Console.WriteLine($"{summary}; wrote {file.FullName} (--engine torch)");
                return 0;
            }
            using var prompt = TunedBundlePrompt.Create(model, bundleFile!.FullName, examples, tuned);
            prompt.Save(file.FullName, overwrite);
            Console.WriteLine($"{summary}; wrote {file.FullName} for {model.Info.Name}");
            return 0;
        });
        return command;
    }
}
