using Exemplar.Torch;
using Exemplar.Vision.IO;

namespace Exemplar.Vision.Masks;

/// <summary>Checks that masks belong to their images before anything is computed from the pair.</summary>
public static class MaskValidation
{
    /// <summary>
    /// Raises <see cref="ImageFormatException"/> (naming both files) unless the mask at <paramref name="maskPath"/> has
    /// the size of the image at <paramref name="imagePath"/> as shown (after its EXIF orientation). Reads only headers.
    /// </summary>
    public static void EnsureSameSize(string imagePath, string maskPath)
    {
        var image = ImageReader.ReadInfo(imagePath);
        var mask = ImageReader.ReadInfo(maskPath);
        Compare(image.Width, image.Height, mask.Width, mask.Height, imagePath, maskPath);
    }

    /// <summary>
    /// Raises <see cref="ImageFormatException"/> unless <paramref name="mask"/> (<c>[H, W]</c> or <c>[1, H, W]</c>) has the
    /// height and width of <paramref name="image"/> (<c>[C, H, W]</c> or <c>[H, W]</c>); the names are for the message.
    /// </summary>
    public static void EnsureSameSize(Tensor image, Tensor mask, string imageName = "image", string maskName = "mask")
    {
        var (_, imageHeight, imageWidth) = ImageTensors.ShapeOf(image, nameof(image));
        var (maskChannels, maskHeight, maskWidth) = ImageTensors.ShapeOf(mask, nameof(mask));
        if (maskChannels != 1) throw new ImageFormatException(maskName, $"a mask has one channel, this one has {maskChannels}");
        Compare(imageWidth, imageHeight, maskWidth, maskHeight, imageName, maskName);
    }

    private static void Compare(int imageWidth, int imageHeight, int maskWidth, int maskHeight, string imageName, string maskName)
    {
        if (imageWidth != maskWidth || imageHeight != maskHeight)
        {
            throw new ImageFormatException(maskName,
                $"the mask is {maskWidth}x{maskHeight} (width x height) but its image {imageName} is {imageWidth}x{imageHeight}");
        }
    }
}
