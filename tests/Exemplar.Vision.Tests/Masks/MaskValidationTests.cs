using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Masks;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.Masks;

public class MaskValidationTests
{
    [Fact]
    public void TensorsOfDifferentSizesRaiseNamingBoth()
    {
        using var image = Tensor.Zeros([3, 4, 5], DType.UInt8);
        using var mask = Tensor.Zeros([4, 6], DType.UInt8);
        var e = Assert.Throws<ImageFormatException>(() => MaskValidation.EnsureSameSize(image, mask, "a.jpg", "a.png"));
        Assert.Equal("a.png: the mask is 6x4 (width x height) but its image a.jpg is 5x4", e.Message);
        using var good = Tensor.Zeros([1, 4, 5], DType.UInt8);
        MaskValidation.EnsureSameSize(image, good);
        using var twoChannels = Tensor.Zeros([2, 4, 5], DType.UInt8);
        Assert.Throws<ImageFormatException>(() => MaskValidation.EnsureSameSize(image, twoChannels));
    }

    [Fact]
    public void FilesAreComparedAsShownAfterExifRotation()
    {
        using var folder = new Synthetic.TempFolder();
        using var photo = Synthetic.Smooth(3, 16, 24);
        File.WriteAllBytes(folder.PathOf("photo.jpg"), JpegExif.WithOrientation(ImageWriter.EncodeJpeg(photo), 6));
        using var upright = Tensor.Zeros([24, 16], DType.UInt8);   // annotated on the displayed (rotated) photo
        ImageWriter.WriteIndexedPng(folder.PathOf("upright.png"), upright);
        using var stored = Tensor.Zeros([16, 24], DType.UInt8);
        ImageWriter.WriteIndexedPng(folder.PathOf("stored.png"), stored);
        MaskValidation.EnsureSameSize(folder.PathOf("photo.jpg"), folder.PathOf("upright.png"));
        var e = Assert.Throws<ImageFormatException>(() => MaskValidation.EnsureSameSize(folder.PathOf("photo.jpg"), folder.PathOf("stored.png")));
        Assert.Equal(folder.PathOf("stored.png"), e.FilePath);
    }
}
