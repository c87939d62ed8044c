namespace Exemplar.Runtime;

/// <summary>
/// One example: an image and the mask of what it shows (a file or stream decoded like the image; any non-black pixel
/// is the object: 0/1, 0/255 and coloured masks all work), for the class <paramref name="Class"/>.
/// </summary>
/// <param name="Image">The example image.</param>
/// <param name="Mask">Its mask, the same size.</param>
/// <param name="Class">The class the mask shows; examples with different class names make a multi-class prompt.</param>
public sealed record Example(ImageInput Image, ImageInput Mask, string Class = "object");
