using Exemplar.Torch;
using Exemplar.Vision.Masks;

namespace Exemplar.Vision.Tests.Masks;

public class ClassIdMapTests
{
    private static LabelMap Stored(params byte[] ids)
    {
        using var t = Tensor.From(ids, 1, 1, ids.Length);
        return MaskDecoder.Decode(Exemplar.Vision.IO.ImageWriter.EncodePng(t), "label.png", new ClassIdMaskEncoding(), new MaskReadOptions(IgnoreLabel: -1));
    }

    [Fact]
    public void EachClassTakesItsOwnIdAndOtherIdsFollowThePolicy()
    {
        using var stored = Stored(0, 3, 8, 11, 5, 3);
        var map = new ClassIdMap([3, 0, 8], [], [11], UnmappedIdPolicy.Background);
        var (masks, ignore) = map.Apply(stored);
        using (masks)
        using (ignore)
        {
            Assert.Equal([3L, 1, 6], masks.Shape);
            Assert.Equal(new byte[] { 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 }, masks.ToArray<byte>());
            Assert.Equal([false, false, false, true, false, false], ignore.ToArray<bool>());
        }
        var (_, ignoring) = (map with { Unmapped = UnmappedIdPolicy.Ignore }).Apply(stored);
        using (ignoring) Assert.Equal([false, false, false, true, true, false], ignoring.ToArray<bool>());
    }

    [Fact]
    public void UnmappedIdsAreAnErrorNamingTheFileAndTheIds()
    {
        using var stored = Stored(0, 1, 2, 3, 4, 11, 255);
        var e = Assert.Throws<UnmappedClassIdException>(() => ClassIdMap.Sequential(3).Apply(stored));
        Assert.Equal("label.png", e.FilePath);
        Assert.Equal([4L, 11], e.Ids);
        Assert.StartsWith("label.png: the mask holds id(s) 4, 11 that match no class (classes 1, 2, 3; background 0; ignored 255)", e.Message);
    }

    [Fact]
    public void AnIdCannotHaveTwoRoles()
    {
        var e = Assert.Throws<ArgumentException>(() => new ClassIdMap([1, 2], [2], []).Validate());
        Assert.Contains("id 2", e.Message);
    }
}
