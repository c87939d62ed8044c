using Exemplar.Torch;

namespace Exemplar.InContext;

/// <summary>One example: an image and, for every class of its <see cref="PromptSet"/>, a binary mask.</summary>
/// <param name="Image">[3, H, W] uint8 RGB.</param>
/// <param name="Masks">[classes, H, W] bool or uint8 (non-zero = the class).</param>
/// <param name="Source">Where it came from (file names), for error messages.</param>
/// <param name="Ignore">[H, W] bool: pixels that are evidence for neither a class nor the background (void, unlabelled), or null.</param>
public sealed record PromptExample(Tensor Image, Tensor Masks, string Source, Tensor? Ignore = null) : IDisposable
{
    /// <summary>Frees the image and masks.</summary>
    public void Dispose()
    {
        Image.Dispose();
        Masks.Dispose();
        Ignore?.Dispose();
    }
}

/// <summary>
/// The examples a user gives: one or more images, each with a mask per class (several classes at once allowed), and
/// optional class names. Examples may have different sizes: each is resized on its own.
/// </summary>
public sealed class PromptSet : IDisposable
{
    private readonly List<PromptExample> _examples = [];

    /// <summary>Creates an empty set for <paramref name="classNames"/> (one name per mask channel).</summary>
    public PromptSet(IReadOnlyList<string> classNames)
    {
        if (classNames.Count == 0) throw new ArgumentException("a prompt set needs at least one class", nameof(classNames));
        if (classNames.Distinct().Count() != classNames.Count) throw new ArgumentException("class names must be distinct", nameof(classNames));
        ClassNames = classNames;
    }

    /// <summary>Class names; class i is mask channel i and label i + 1 in label maps (0 is background).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The examples, in the order added.</summary>
    public IReadOnlyList<PromptExample> Examples => _examples;

    /// <summary>
    /// Adds an example (the set owns the tensors from now on). Checks the image is [3, H, W] uint8, the masks
    /// [classes, H, W] and the optional <paramref name="ignore"/> map [H, W] (non-zero = not labelled: neither class nor
    /// background) of the same size.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong shapes or sizes; the message names <paramref name="source"/>.</exception>
    public void Add(Tensor image, Tensor masks, string source, Tensor? ignore = null)
    {
        if (image.Dim != 3 || image.Size(0) != 3 || image.DType != DType.UInt8)
        {
            throw new ArgumentException($"{source}: the example image must be [3, H, W] uint8 RGB, got [{string.Join(", ", image.Shape)}] {image.DType}");
        }
        if (masks.Dim != 3 || masks.Size(0) != ClassNames.Count)
        {
            throw new ArgumentException($"{source}: expected {ClassNames.Count} mask(s) [classes, H, W], got [{string.Join(", ", masks.Shape)}]");
        }
        if (masks.Size(1) != image.Size(1) || masks.Size(2) != image.Size(2))
        {
            throw new ArgumentException($"{source}: the mask is {masks.Size(2)}x{masks.Size(1)} but the image is {image.Size(2)}x{image.Size(1)} (width x height)");
        }
        if (ignore is not null && (ignore.Dim != 2 || ignore.Size(0) != image.Size(1) || ignore.Size(1) != image.Size(2)))
        {
            throw new ArgumentException($"{source}: the ignore map must be [H, W] = [{image.Size(1)}, {image.Size(2)}], got [{string.Join(", ", ignore.Shape)}]");
        }
        image.DetachFromScope();
        masks.DetachFromScope();
        ignore?.DetachFromScope();
        _examples.Add(new PromptExample(image, masks, source, ignore));
    }

    /// <summary>
    /// Checks the set can be encoded: at least one example, and every class present (non-empty) in at least one of them.
    /// </summary>
    /// <exception cref="InvalidOperationException">What is wrong, naming the class and the examples.</exception>
    public void Validate()
    {
        if (_examples.Count == 0) throw new InvalidOperationException("the prompt set has no examples");
        for (int c = 0; c < ClassNames.Count; c++)
        {
            bool present = false;
            foreach (var e in _examples)
            {
                using var channel = e.Masks.Select(0, c);
                using var any = channel.Ne(0).Any();
                if (any.Item<bool>())
                {
                    present = true;
                    break;
                }
            }
            if (!present)
            {
                throw new InvalidOperationException($"class '{ClassNames[c]}' has an empty mask in every example ({string.Join(", ", _examples.Select(e => e.Source))})");
            }
        }
    }

    /// <summary>Frees every example.</summary>
    public void Dispose()
    {
        foreach (var e in _examples) e.Dispose();
        _examples.Clear();
    }
}
