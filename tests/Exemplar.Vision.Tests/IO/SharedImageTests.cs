using Exemplar.Torch;
using Exemplar.Vision.IO;

namespace Exemplar.Vision.Tests.IO;

/// <summary>Real files from ../shared/data.</summary>
public class SharedImageTests
{
    private const string DavisFrame = "data/davis2016/JPEGImages/480p/dog/00000.jpg";
    private const string DavisMask = "data/davis2016/Annotations/480p/dog/00000.png";
    private const string DriveImage = "data/drive/training/images/21.png";
    private const string PersegMask = "data/samples/perseg/cat_00.png";
    private const string SegGptTarget = "data/samples/seggpt/hmbb_1_target.png";

    [SharedFact(DavisFrame)]
    public void DavisFrameIsRgb854x480()
    {
        using var image = ImageReader.Read(SharedFolder.PathOf(DavisFrame));
        Assert.Equal([3, 480, 854], image.Pixels.Shape);
        Assert.Equal(ImageFileFormat.Jpeg, image.Info.Format);
        Assert.Equal(ExifOrientation.Normal, image.Info.Orientation);
        using var mean = image.Pixels.To(DType.Float32).Mean();
        Assert.InRange(mean.ToDouble(), 20, 235); // a real photo, not a blank buffer
    }

    [SharedFact(DavisMask)]
    public void DavisAnnotationIsBinaryGray()
    {
        using var mask = ImageReader.Read(SharedFolder.PathOf(DavisMask));
        Assert.Equal([1, 480, 854], mask.Pixels.Shape);
        var values = mask.Pixels.ToArray<byte>();
        Assert.All(values, v => Assert.True(v is 0 or 255));
        Assert.Contains((byte)255, values);
    }

    [SharedFact(DriveImage)]
    public void DriveImageIsRgb()
    {
        var info = ImageReader.ReadInfo(SharedFolder.PathOf(DriveImage));
        Assert.Equal(new ImageInfo(ImageFileFormat.Png, 565, 584, 3, 8, false, ExifOrientation.Normal), info);
        using var image = ImageReader.ReadTensor(SharedFolder.PathOf(DriveImage), ImageReadOptions.Gray);
        Assert.Equal([1, 584, 565], image.Shape);
    }

    [SharedFact(PersegMask)]
    public void PersegMaskIsAPaletteImage()
    {
        using var mask = ImageReader.Read(SharedFolder.PathOf(PersegMask), new ImageReadOptions(Palette: PaletteMode.Indices));
        Assert.True(mask.Info.IsIndexed);
        Assert.NotNull(mask.Palette);
        Assert.Equal([1, 1282, 1282], mask.Pixels.Shape);
        using var expanded = ImageReader.ReadTensor(SharedFolder.PathOf(PersegMask));
        Assert.Equal(3, expanded.Size(0));
    }

    [SharedFact(SegGptTarget)]
    public void SegGptTargetIsRgb()
    {
        using var target = ImageReader.Read(SharedFolder.PathOf(SegGptTarget));
        Assert.Equal([3, 168, 300], target.Pixels.Shape);
        Assert.False(target.Info.IsIndexed);
    }
}
