namespace Exemplar.Runtime;

/// <summary>The mask of one class in an example (a file, stream or buffer; any non-black pixel is the class).</summary>
/// <param name="Class">The class name.</param>
/// <param name="Mask">The mask, the size of the example's image: 0/1, 0/255 and coloured masks all work.</param>
public sealed record ClassMask(string Class, ImageInput Mask);

/// <summary>
/// One example: an image with a mask per class it shows, and optionally an ignore map (pixels that are evidence for
/// neither a class nor the background, e.g. void). A class an example has no mask for counts as absent there.
/// </summary>
/// <param name="Image">The example image.</param>
/// <param name="Masks">One mask per class.</param>
/// <param name="Ignore">Non-black pixels are not labelled (or null).</param>
public sealed record Example(ImageInput Image, IReadOnlyList<ClassMask> Masks, ImageInput? Ignore = null)
{
    /// <summary>An example of one class (named <paramref name="className"/>).</summary>
    public Example(ImageInput image, ImageInput mask, string className = "object") : this(image, [new ClassMask(className, mask)])
    {
    }
}
