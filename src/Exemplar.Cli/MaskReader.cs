using Exemplar.InContext;
using Exemplar.Torch;
using Exemplar.Vision;
using Exemplar.Vision.IO;
using Exemplar.Vision.Masks;

namespace Exemplar.Cli;

/// <summary>
/// Reads the --mask files as the --class, --mask-format, --background-id, --ignore-id and --other-ids options say:
/// one mask per class plus the ignored pixels, with errors that name the file and the options that fix them.
/// </summary>
internal sealed class MaskReader
{
    /// <summary>Classes covering more than this share of an example leave no background to learn from.</summary>
    internal const double AlmostAll = 0.98;

    /// <summary>A class covering less than this share of an example gives almost no evidence.</summary>
    internal const double AlmostNone = 0.001;

    private readonly IReadOnlyList<ClassSpec> _classes;
    private readonly MaskFormat _format;
    private readonly ClassIdMap _map;
    private readonly bool _defaultIgnore;
    private readonly HashSet<string> _withDefaultIgnoredPixels = [];

    public MaskReader(IReadOnlyList<ClassSpec> classes, MaskFormat format, long[]? backgroundIds, long[]? ignoreIds, UnmappedIdPolicy otherIds)
    {
        _classes = classes;
        bool explicitLabels = classes.Any(c => c.Id is not null || c.Color is not null) || backgroundIds is { Length: > 0 } || ignoreIds is { Length: > 0 };
        _format = format switch
        {
            MaskFormat.Auto when classes.Any(c => c.Color is not null) => MaskFormat.Rgb,
            MaskFormat.Auto => classes.Count == 1 && !explicitLabels ? MaskFormat.Binary : MaskFormat.Ids,
            _ => format,
        };
        if (_format == MaskFormat.Binary && classes.Count > 1)
        {
            throw new ArgumentException($"--mask-format binary holds one class, but {classes.Count} --class are given: use ids, palette or rgb masks");
        }
        if (_format != MaskFormat.Rgb && classes.FirstOrDefault(c => c.Color is not null) is { } colored)
        {
            throw new ArgumentException($"--class {colored.Name}=#…: colours apply to --mask-format rgb, not {_format.ToString().ToLowerInvariant()}");
        }
        if (_format == MaskFormat.Rgb && otherIds == UnmappedIdPolicy.Background)
        {
            throw new ArgumentException("--other-ids background applies to class-id masks; with --mask-format rgb, colours that are no class can be ignored (--other-ids ignore)");
        }
        var classIds = classes.Select((c, i) => c.Id ?? i + 1).ToArray();
        var background = backgroundIds is { Length: > 0 } b ? b : classIds.Contains(0) || ignoreIds?.Contains(0) == true ? [] : [0L];
        _defaultIgnore = ignoreIds is not { Length: > 0 } && !classIds.Contains(255) && !background.Contains(255);
        var ignore = ignoreIds is { Length: > 0 } g ? g : _defaultIgnore ? [255L] : [];
        _map = new ClassIdMap(classIds, background, ignore, otherIds);
        try
        {
            _map.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"the --class ids, --background-id and --ignore-id overlap: {e.Message}", e);
        }
    }

    /// <summary>One mask per class <c>[classes, H, W]</c> uint8 and the ignored pixels <c>[H, W]</c> bool (or null).</summary>
    public (Tensor Masks, Tensor? Ignore) Read(string path)
    {
        if (_format == MaskFormat.Binary)
        {
            using var binary = MaskDecoder.Read(path, MaskEncodings.AnyBinary);
            return (binary.Labels.To(DType.UInt8).Unsqueeze(0), null);
        }
        using var labels = _format == MaskFormat.Rgb ? ReadColors(path) : ReadIds(path);
        if (_defaultIgnore)
        {
            using var is255 = labels.Labels.Eq(255);
            using var any = is255.Any();
            if (any.Item<bool>()) _withDefaultIgnoredPixels.Add(path);
        }
        try
        {
            return _map.Apply(labels);
        }
        catch (UnmappedClassIdException e)
        {
            throw new ArgumentException(
                $"{e.Message}; name each class's id (e.g. --class {_classes[0].Name}=ID), or say what the other ids are with --background-id, --ignore-id or --other-ids background", e);
        }
    }

    /// <summary>Warnings for masks that cover almost all or almost none of their example.</summary>
    public IEnumerable<string> Coverage(string path, Tensor masks, Tensor? ignore)
    {
        using var scope = DisposeScope.Begin();
        double labelled = ignore is null ? masks.Size(1) * masks.Size(2) : ignore.LogicalNot().Sum().Item<long>();
        if (labelled == 0) return [$"{path}: every pixel is ignored: this example gives no evidence"];
        var warnings = new List<string>();
        var any = masks.Ne(0).Sum(0).Gt(0);
        if (ignore is not null) any = any & ignore.LogicalNot();
        double union = any.Sum().Item<long>() / labelled;
        if (union >= AlmostAll)
        {
            warnings.Add($"{path}: the mask covers {union * 100:F1}% of the image, leaving almost no background to tell the object from: targets will likely come out all foreground; mark only the object");
        }
        for (int c = 0; c < masks.Size(0); c++)
        {
            long area = masks.Select(0, c).Ne(0).Sum().Item<long>();
            if (area > 0 && area / labelled < AlmostNone)
            {
                warnings.Add($"{path}: class '{_classes[c].Name}' covers only {area} pixel(s) ({area / labelled * 100:F2}% of the image): too little to learn it from");
            }
        }
        return warnings;
    }

    /// <summary>Before <see cref="PromptSet.Validate"/>: explains an empty class whose pixels were read as "ignored" (255).</summary>
    public void ExplainEmptyClasses(PromptSet prompts, IReadOnlyList<string> masks)
    {
        if (_withDefaultIgnoredPixels.Count == 0) return;
        for (int c = 0; c < prompts.ClassNames.Count; c++)
        {
            bool present = prompts.Examples.Any(e =>
            {
                using var channel = e.Masks.Select(0, c);
                using var any = channel.Ne(0).Any();
                return any.Item<bool>();
            });
            if (present) continue;
            string file = masks.First(_withDefaultIgnoredPixels.Contains);
            string ids = string.Join(", ", _classes.Select((s, i) => $"{_map.ClassIds[i]} '{s.Name}'"));
            throw new ArgumentException(
                $"class '{prompts.ClassNames[c]}' has an empty mask in every example: in {file}, value 255 means 'ignored' " +
                $"(these masks are read as class ids: {string.Join(", ", _map.BackgroundIds)} background, {ids}); " +
                "paint each class with its id, or name the id your masks use (e.g. --class " + prompts.ClassNames[c] + "=255)");
        }
    }

    private LabelMap ReadIds(string path)
    {
        var info = ImageReader.ReadInfo(path);
        if (_format == MaskFormat.Palette && !info.IsIndexed)
        {
            throw new ImageFormatException(path, "--mask-format palette needs a palette (indexed) PNG; this one is not: use --mask-format ids for gray class ids or rgb for colours");
        }
        if (info.StoredChannels != 1 && info.Format != ImageFileFormat.Jpeg)
        {
            throw new ImageFormatException(path,
                $"this mask has {info.StoredChannels} channels (colour), but class-id masks have one (gray or palette): use --mask-format rgb " +
                "(classes in VOC colours, or --class NAME=#RRGGBB), or --mask-format binary for one class");
        }
        return MaskDecoder.Read(path, new ClassIdMaskEncoding(), new MaskReadOptions(IgnoreLabel: -1));
    }

    private LabelMap ReadColors(string path)
    {
        var voc = ImagePalette.Voc;
        var entries = _classes.Select((c, i) => (c.Color ?? voc.Colors[(int)_map.ClassIds[i] & 255], _map.ClassIds[i]))
            .Concat(_map.BackgroundIds.Concat(_map.IgnoreIds).Select(id => (voc.Colors[(int)id & 255], id)));
        var policy = _map.Unmapped == UnmappedIdPolicy.Ignore ? UnknownColorPolicy.Ignore : UnknownColorPolicy.Error;
        var table = new ColorTable(entries);
        try
        {
            return MaskDecoder.Read(path, new ColorMapMaskEncoding(table, policy), new MaskReadOptions(IgnoreLabel: -1));
        }
        catch (ImageFormatException e) when (e.Problem.EndsWith("is not in the colour table", StringComparison.Ordinal))
        {
            string colours = string.Join(", ", table.Entries.Select(c => $"{c.Color} = id {c.Id}"));
            throw new ArgumentException($"{e.Message} ({colours}); give each class its colour (--class NAME=#RRGGBB), or ignore other colours (anti-aliased edges) with --other-ids ignore", e);
        }
    }
}
