using System.CommandLine;
using Exemplar.InContext;
using Exemplar.Models;
using Exemplar.Models.Zoo;
using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Exemplar.Vision.IO;
using Exemplar.Vision.Masks;

namespace Exemplar.Cli;

/// <summary>Options and loading shared by the commands that take examples and a model.</summary>
internal sealed class CliInputs
{
    public Option<string[]> Examples { get; } = new("--example") { Description = "An example image (repeat for several examples).", AllowMultipleArgumentsPerToken = true };

    public Option<string[]> Masks { get; } = new("--mask")
    {
        Description = "The mask of each --example, in the same order. One class: a binary mask (>= 128 is the object). " +
                      "Several --class: a class-id mask (0 background, i the i-th class, 255 ignored).",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string[]> Classes { get; } = new("--class") { Description = "Class name(s) (default: one class named 'object').", AllowMultipleArgumentsPerToken = true };

    public Option<string> Model { get; } = new("--model") { Description = "Encoder from the model zoo (exemplar models).", DefaultValueFactory = _ => "mobilenetv2" };

    public Option<FileInfo?> Weights { get; } = new("--weights") { Description = "The encoder's weight file (see exemplar models --urls)." };

    public void AddPromptOptions(Command command)
    {
        command.Options.Add(Examples);
        command.Options.Add(Masks);
        command.Options.Add(Classes);
    }

    public void AddModelOptions(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Weights);
    }

    /// <summary>Loads the zoo model named by --model with --weights, frozen, in evaluation mode.</summary>
    public (IImageEncoder Encoder, string Name) LoadEncoder(ParseResult result)
    {
        var entry = ModelZoo.Get(result.GetValue(Model)!);
        var weights = result.GetValue(Weights)
            ?? throw new ArgumentException($"--weights is required for {entry.Name}; download one of: {string.Join("; ", entry.WeightSources.Select(s => s.Url))}");
        if (!weights.Exists) throw new FileNotFoundException($"{weights.FullName}: no such weights file");
        var encoder = entry.Load(weights.FullName);
        ((Module)encoder).Eval().Freeze();
        return (encoder, entry.Name);
    }

    /// <summary>Reads the examples and their masks into a prompt set (validated).</summary>
    public PromptSet LoadPrompts(ParseResult result)
    {
        var examples = result.GetValue(Examples) ?? [];
        var masks = result.GetValue(Masks) ?? [];
        var classes = result.GetValue(Classes) is { Length: > 0 } c ? c : ["object"];
        if (examples.Length == 0) throw new ArgumentException("give at least one --example with its --mask");
        if (examples.Length != masks.Length) throw new ArgumentException($"{examples.Length} --example but {masks.Length} --mask: give one mask per example");
        var prompts = new PromptSet(classes);
        try
        {
            for (int i = 0; i < examples.Length; i++)
            {
                using var scope = DisposeScope.Begin();
                var image = ImageReader.ReadTensor(examples[i], ImageReadOptions.Rgb);
                MaskValidation.EnsureSameSize(examples[i], masks[i]);
                Tensor perClass;
                Tensor? ignore = null;
                if (classes.Length == 1)
                {
                    perClass = MaskDecoder.ReadBinary(masks[i]).Unsqueeze(0);
                }
                else
                {
                    var labelMap = MaskDecoder.Read(masks[i], MaskEncodings.Voc);
                    perClass = LabelMap.ClassMasks(labelMap.Labels, classes.Length).To(DType.UInt8);
                    ignore = labelMap.Ignore.Alias().MoveToOuterScope(); // 255: neither a class nor background
                    labelMap.Dispose();
                }
                prompts.Add(image.MoveToOuterScope(), perClass.MoveToOuterScope(), $"{examples[i]} + {masks[i]}", ignore);
            }
            prompts.Validate();
            return prompts;
        }
        catch
        {
            prompts.Dispose();
            throw;
        }
    }
}
