using System.CommandLine;
using Exemplar.InContext;
using Exemplar.Models.Zoo;
using Exemplar.Torch;
using Exemplar.Torch.Serialization;
using Exemplar.Vision.IO;
using Exemplar.Vision.Masks;

namespace Exemplar.Cli;

/// <summary>Options and loading shared by the commands that take examples and a model.</summary>
internal sealed class CliInputs
{
    public Option<string[]> Examples { get; } = new("--example") { Description = "An example image (repeat for several examples).", AllowMultipleArgumentsPerToken = true };

    public Option<string[]> Masks { get; } = new("--mask")
    {
        Description = "The mask of each --example, in the same order. One class: a binary mask (0/1, 0/255, or any colour on black). " +
                      "Several --class: a class-id mask (0 background, i the i-th class, 255 ignored) unless --class NAME=ID says otherwise.",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string[]> Classes { get; } = new("--class")
    {
        Description = "Class name(s) (default: one class named 'object'); NAME=ID gives the id its pixels hold in the masks, NAME=#RRGGBB its colour.",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<MaskFormat> MaskFormat { get; } = new("--mask-format")
    {
        Description = "How the masks store labels: auto (binary for one class, class ids for several, colours when a --class gives one), binary, ids, palette or rgb.",
        DefaultValueFactory = _ => Cli.MaskFormat.Auto,
    };

    public Option<long[]> BackgroundIds { get; } = new("--background-id") { Description = "Mask id(s) meaning background (default 0, unless a class has id 0).", AllowMultipleArgumentsPerToken = true };

    public Option<long[]> IgnoreIds { get; } = new("--ignore-id") { Description = "Mask id(s) meaning 'not labelled', e.g. CamVid's 11 (default 255).", AllowMultipleArgumentsPerToken = true };

    public Option<UnmappedIdPolicy> OtherIds { get; } = new("--other-ids")
    {
        Description = "Mask ids that are no class, background or ignore id: error (default), background or ignore.",
        DefaultValueFactory = _ => UnmappedIdPolicy.Error,
    };

    public Option<string> Model { get; } = new("--model") { Description = "Encoder from the model zoo (exemplar models).", DefaultValueFactory = _ => "mobilenetv2" };

    public Option<FileInfo?> Weights { get; } = new("--weights") { Description = "The encoder's weight file (see exemplar models --urls)." };

    public Option<FileInfo?> Decoder { get; } = new("--decoder")
    {
        Description = "A trained in-context decoder for --model (checkpoints/best/model.safetensors of `exemplar train --recipe recipes/incontext-*.yaml`); default: the training-free decoder.",
    };

    public void AddPromptOptions(Command command)
    {
        command.Options.Add(Examples);
        command.Options.Add(Masks);
        command.Options.Add(Classes);
        command.Options.Add(MaskFormat);
        command.Options.Add(BackgroundIds);
        command.Options.Add(IgnoreIds);
        command.Options.Add(OtherIds);
    }

    public void AddModelOptions(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Weights);
        command.Options.Add(Decoder);
    }

    /// <summary>
    /// Loads the zoo model named by --model with --weights (frozen, in evaluation mode) into a segmenter with its default
    /// options, adjusted by <paramref name="configure"/>.
    /// </summary>
    public ZooSegmenter LoadSegmenter(ParseResult result, Func<SegmenterOptions, SegmenterOptions>? configure = null)
    {
        string requested = result.GetValue(Model)!;
        var entry = ModelZoo.Models.FirstOrDefault(m => string.Equals(m.Name, requested, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"--model {requested}: no such model{Suggest.DidYouMean(requested, ModelZoo.Models.Select(m => m.Name))}; the zoo has: {string.Join(", ", ModelZoo.Models.Select(m => m.Name))}");
        var weights = result.GetValue(Weights)
            ?? throw new ArgumentException($"--weights is required for {entry.Name}; download one of: {string.Join("; ", entry.WeightSources.Select(s => s.Url))}");
        if (!weights.Exists) throw new FileNotFoundException($"{weights.FullName}: no such weights file (--weights)");
        var kind = WeightFile.Sniff(weights.FullName);
        if (!entry.Accepts(kind))
        {
            var fitting = ModelZoo.Models.Where(m => m.Accepts(kind)).Select(m => m.Name).ToList();
            string other = fitting.Count == 0 ? "" : $"; {kind.Describe()} fits --model {string.Join(" or ", fitting.Take(3))}{(fitting.Count > 3 ? " …" : "")}";
            throw new ArgumentException(
                $"--weights {weights.FullName}: this is {kind.Describe()}, but --model {entry.Name} needs {string.Join(" or ", entry.WeightSources.Select(s => s.Description))}" +
                $" (see exemplar models --urls){other}");
        }
        var decoder = result.GetValue(Decoder);
        if (decoder is { Exists: false }) throw new FileNotFoundException($"{decoder.FullName}: no such decoder file (--decoder)");
        return ZooSegmenter.Load(entry.Name, weights.FullName, configure, decoder?.FullName);
    }

    /// <summary>The --class values, parsed (one class named 'object' when none is given).</summary>
    public IReadOnlyList<ClassSpec> ClassSpecs(ParseResult result)
    {
        var specs = (result.GetValue(Classes) is { Length: > 0 } c ? c : ["object"]).Select(ClassSpec.Parse).ToList();
        if (specs.Any(s => s.Id is not null) && specs.Any(s => s.Id is null) && !specs.Any(s => s.Color is not null))
        {
            throw new ArgumentException($"give every --class its id (NAME=ID) or none: {string.Join(", ", specs.Where(s => s.Id is null).Select(s => s.Name))} have none");
        }
        return specs;
    }

    /// <summary>Reads the examples and their masks into a prompt set (validated); warnings go to <paramref name="warn"/>.</summary>
    public PromptSet LoadPrompts(ParseResult result, Action<string> warn)
    {
        var examples = result.GetValue(Examples) ?? [];
        var masks = result.GetValue(Masks) ?? [];
        var specs = ClassSpecs(result);
        if (examples.Length == 0) throw new ArgumentException("give at least one --example with its --mask");
        if (examples.Length != masks.Length) throw new ArgumentException($"{examples.Length} --example but {masks.Length} --mask: give one mask per example");
        var reader = new MaskReader(specs, result.GetValue(MaskFormat), result.GetValue(BackgroundIds), result.GetValue(IgnoreIds), result.GetValue(OtherIds));
        var prompts = new PromptSet(specs.Select(s => s.Name).ToList());
        try
        {
            for (int i = 0; i < examples.Length; i++)
            {
                using var scope = DisposeScope.Begin();
                var image = ImageReader.ReadTensor(examples[i], ImageReadOptions.Rgb);
                MaskValidation.EnsureSameSize(examples[i], masks[i]);
                var (perClass, ignore) = reader.Read(masks[i]);
                foreach (var warning in reader.Coverage(masks[i], perClass, ignore)) warn(warning);
                prompts.Add(image.MoveToOuterScope(), perClass.MoveToOuterScope(), $"{examples[i]} + {masks[i]}", ignore?.MoveToOuterScope());
            }
            reader.ExplainEmptyClasses(prompts, masks);
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
