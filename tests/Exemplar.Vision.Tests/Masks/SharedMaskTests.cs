using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Masks;

namespace Exemplar.Vision.Tests.Masks;

/// <summary>Masks of the shared data sets, in their own encodings.</summary>
public class SharedMaskTests
{
    private const string CamVidLabel = "data/camvid/train/labels/0016E5_04350.png";
    private const string CamVidImage = "data/camvid/train/images/0016E5_04350.jpg";
    private const string CcpMask = "data/ccp/masks/0002.png";
    private const string CcpPhoto = "data/ccp/photos/0002.jpg";
    private const string PersegMask = "data/samples/perseg/cat_00.png";
    private const string SegGptTarget = "data/samples/seggpt/hmbb_1_target.png";
    private const string FssMask = "data/samples/fss1000/eiffel_tower/1.png";
    private const string DavisMask = "data/davis2016/Annotations/480p/dog/00000.png";
    private const string DavisFrame = "data/davis2016/JPEGImages/480p/dog/00000.jpg";

    [SharedFact(CamVidLabel, CamVidImage)]
    public void CamVidVoidIsIgnored()
    {
        MaskValidation.EnsureSameSize(SharedFolder.PathOf(CamVidImage), SharedFolder.PathOf(CamVidLabel));
        using var map = MaskDecoder.Read(SharedFolder.PathOf(CamVidLabel), MaskEncodings.CamVid);
        Assert.Equal([360, 480], map.Labels.Shape);
        var classes = map.ClassesPresent();
        Assert.All(classes, c => Assert.InRange(c, 0, 10));
        Assert.Contains(3L, classes); // road
        using var ignoredCount = map.Ignore.To(DType.Int64).Sum();
        using var raw = ImageReader.ReadTensor(SharedFolder.PathOf(CamVidLabel));
        using var elevens = raw.Eq(11).To(DType.Int64).Sum();
        Assert.Equal(elevens.Item<long>(), ignoredCount.Item<long>());
        Assert.True(ignoredCount.Item<long>() > 0);
    }

    [SharedFact(CcpMask, CcpPhoto)]
    public void CcpClassIds()
    {
        MaskValidation.EnsureSameSize(SharedFolder.PathOf(CcpPhoto), SharedFolder.PathOf(CcpMask));
        using var map = MaskDecoder.Read(SharedFolder.PathOf(CcpMask), MaskEncodings.Ccp);
        Assert.Equal([0L, 14, 19, 24, 32, 41, 44], map.ClassesPresent());
    }

    [SharedFact(PersegMask)]
    public void PersegPaletteMaskIsBinaryByIndex()
    {
        using var binary = MaskDecoder.ReadBinary(SharedFolder.PathOf(PersegMask));
        using var indices = ImageReader.ReadTensor(SharedFolder.PathOf(PersegMask), new ImageReadOptions(Palette: PaletteMode.Indices));
        using var ones = indices.Squeeze(0);
        Assert.True(binary.Equal(ones));
        using var area = binary.To(DType.Int64).Sum();
        Assert.True(area.Item<long>() > 10000);
    }

    [SharedFact(SegGptTarget)]
    public void SegGptTargetSnapsAntiAliasedEdges()
    {
        using var map = MaskDecoder.Read(SharedFolder.PathOf(SegGptTarget), MaskEncodings.SegGptBinary);
        Assert.Equal([0L, 1], map.ClassesPresent());
        Assert.Throws<ImageFormatException>(() => MaskDecoder.Read(SharedFolder.PathOf(SegGptTarget),
            MaskEncodings.SegGptBinary with { UnknownColors = UnknownColorPolicy.Error }));
        // The nearest-colour rule agrees with thresholding the gray mask at 128 (the colours are grays here).
        using var thresholded = MaskDecoder.ReadBinary(SharedFolder.PathOf(SegGptTarget));
        using var labels = map.Labels.To(DType.UInt8);
        using var differ = labels.Ne(thresholded).To(DType.Int64).Sum();
        Assert.True(differ.Item<long>() <= 30, $"{differ.Item<long>()} pixels differ"); // only the 127/128 grays may disagree
    }

    [SharedFact(FssMask, DavisMask, DavisFrame)]
    public void Fss1000AndDavisBinaryMasks()
    {
        using var fss = MaskDecoder.ReadBinary(SharedFolder.PathOf(FssMask));
        Assert.Equal([224, 224], fss.Shape);
        using var davis = MaskDecoder.ReadBinary(SharedFolder.PathOf(DavisMask));
        Assert.Equal([480, 854], davis.Shape);
        MaskValidation.EnsureSameSize(SharedFolder.PathOf(DavisFrame), SharedFolder.PathOf(DavisMask));
        var e = Assert.Throws<ImageFormatException>(() => MaskValidation.EnsureSameSize(SharedFolder.PathOf(DavisFrame), SharedFolder.PathOf(FssMask)));
        Assert.Contains(SharedFolder.PathOf(FssMask), e.Message);
        Assert.Contains(SharedFolder.PathOf(DavisFrame), e.Message);
        Assert.Contains("224x224", e.Message);
        Assert.Contains("854x480", e.Message);
    }
}
