using Exemplar.Runtime;
using SkiaSharp;

namespace Exemplar.Web;

/// <summary>
/// Pairs the form's <c>example</c> and <c>mask</c> files (in order) into the runtime's examples. With no or one
/// <c>class</c> name a mask is binary (any non-black pixel); with several, a mask holds class ids in its red channel
/// (0 background, i the i-th class), as the page writes them.
/// </summary>
internal static class ExampleBuilder
{
    public static async Task<IReadOnlyList<Example>> ReadAsync(UploadForm form, CancellationToken cancellationToken)
    {
        var images = form.Files("example");
        var masks = form.Files("mask");
        if (images.Count == 0) throw WebProblemException.BadRequest("no 'example' file: give one or more example images, each with a 'mask'");
        if (masks.Count != images.Count) throw WebProblemException.BadRequest($"{images.Count} 'example' file(s) but {masks.Count} 'mask' file(s): give one mask per example, in the same order");
        var classes = form.Values("class");
        if (classes.Any(c => c.Length == 0 || c.Length > 64)) throw WebProblemException.BadRequest("a 'class' name is empty or longer than 64 characters");
        if (classes.Distinct(StringComparer.Ordinal).Count() != classes.Count) throw WebProblemException.BadRequest($"the class names repeat: {string.Join(", ", classes)}");
        if (classes.Count > ExemplarModel.MaxClasses) throw WebProblemException.BadRequest($"{classes.Count} classes, at most {ExemplarModel.MaxClasses}");
        if (classes.Count == 0) classes = ["object"];

        var examples = new List<Example>();
        var present = new bool[classes.Count];
        for (int i = 0; i < images.Count; i++)
        {
            var image = await form.ImageAsync(images[i], cancellationToken);
            var mask = await form.ImageAsync(masks[i], cancellationToken);
            if (mask.Width != image.Width || mask.Height != image.Height)
            {
                throw WebProblemException.Unprocessable($"mask '{mask.Name}' is {mask.Width}x{mask.Height} but example '{image.Name}' is {image.Width}x{image.Height}");
            }
            var perClass = SplitClasses(mask, classes.Count);
            var classMasks = new List<ClassMask>();
            for (int c = 0; c < classes.Count; c++)
            {
                if (perClass[c] is not { } pixels) continue;
                present[c] = true;
                classMasks.Add(new ClassMask(classes[c], ImageInput.FromPixels(pixels, mask.Width, mask.Height, PixelFormat.Gray8, name: $"mask '{mask.Name}'")));
            }
            examples.Add(new Example(image.ToInput(), classMasks));
        }
        var missing = classes.Where((_, c) => !present[c]).ToList();
        if (missing.Count > 0) throw WebProblemException.Unprocessable($"class(es) {string.Join(", ", missing.Select(m => $"'{m}'"))}: the masks are empty (no pixel of the class in any example)");
        return examples;
    }

    /// <summary>One 0/255 map per class (null where the class has no pixel), from a mask the size of its image.</summary>
    private static byte[]?[] SplitClasses(ImageUpload mask, int classCount)
    {
        using var bitmap = mask.DecodeRgba();
        var rgba = bitmap.GetPixelSpan();
        int n = bitmap.Width * bitmap.Height;
        var maps = new byte[]?[classCount];
        for (int i = 0; i < n; i++)
        {
            byte r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2];
            int c = classCount == 1 ? (r | g | b) != 0 ? 0 : -1 : r - 1;
            if (c < 0) continue;
            if (c >= classCount) throw WebProblemException.Unprocessable($"mask '{mask.Name}' holds class id {r} but only {classCount} classes were named");
            (maps[c] ??= new byte[n])[i] = 255;
        }
        return maps;
    }
}
