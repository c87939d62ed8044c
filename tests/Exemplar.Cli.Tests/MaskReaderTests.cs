using Exemplar.Vision.IO;
using Exemplar.Vision.Masks;

namespace Exemplar.Cli.Tests;

/// <summary>How --mask files are read: binary masks as people draw them, class ids with an explicit map, degenerate masks.</summary>
public sealed class MaskReaderTests : CliTest
{
    [SharedFact(Cli.Weights)]
    public void ZeroOneGrayAndRedOnBlackMasksAreAccepted()
    {
        string image = Cli.SquareImage(PathOf("a.png"));
        string zeroOne = Cli.SquareMask(PathOf("01.png"), [1], [0]);
        string red = Cli.SquareMask(PathOf("red.png"), [255, 0, 0], [0, 0, 0]);
        foreach (var mask in new[] { zeroOne, red })
        {
            var (code, _, error) = Cli.Run("encode-prompts", "--example", image, "--mask", mask, "--out", PathOf(Path.GetFileName(mask) + ".exemplar"),
                "--weights", SharedFolder.PathOf(Cli.Weights));
            Assert.True(code == 0, error);
        }
    }

    [Fact]
    public void SeveralClassesExplainThat255MeansIgnored()
    {
        string image = Cli.SquareImage(PathOf("a.png"));
        string mask = Cli.SquareMask(PathOf("m.png"), [255], [0]);
        var (code, _, error) = Cli.Run("encode-prompts", "--example", image, "--mask", mask, "--class", "cat", "--class", "dog", "--out", PathOf("p.exemplar"));
        Assert.Equal(1, code);
        Assert.Contains("m.png", error);
        Assert.Contains("255 means 'ignored'", error);
    }

    [Fact]
    public void IdsThatMatchNoClassAreAnErrorNamingTheFileAndTheIds()
    {
        // CamVid-like: 0 sky, 3 road, 8 car, 11 void. Numbered 1, 2, 3 by default, ids 4..11 have no class.
        string image = Cli.SquareImage(PathOf("a.png"));
        string mask = Cli.IdMask(PathOf("label.png"), 0, 3, 8, 11, 5);
        var (code, _, error) = Cli.Run("encode-prompts", "--example", image, "--mask", mask, "--class", "road", "--class", "sky", "--class", "car", "--out", PathOf("p.exemplar"));
        Assert.Equal(1, code);
        Assert.Contains("label.png", error);
        Assert.Contains("id(s) 5, 8, 11", error);
        Assert.Contains("--class road=ID", error);
    }

    [Fact]
    public void NamedIdsMapEachClassToItsPixels()
    {
        string mask = Cli.IdMask(PathOf("label.png"), 0, 3, 8, 11, 5);
        var reader = new MaskReader([ClassSpec.Parse("road=3"), ClassSpec.Parse("sky=0"), ClassSpec.Parse("car=8")], MaskFormat.Auto, null, [11], UnmappedIdPolicy.Background);
        var (masks, ignore) = reader.Read(mask);
        using (masks)
        using (ignore)
        {
            using var stored = MaskDecoder.Read(mask, new ClassIdMaskEncoding(), new MaskReadOptions(IgnoreLabel: -1));
            foreach (var (c, id) in new[] { (0, 3L), (1, 0L), (2, 8L) })
            {
                using var expected = stored.Labels.Eq(id);
                using var channel = masks.Select(0, c).Ne(0);
                Assert.True(channel.Equal(expected), $"class {c}");
            }
            using var voids = stored.Labels.Eq(11);
            Assert.True(ignore!.Equal(voids));
        }
    }

    [SharedFact("data/camvid/train/labels/0001TP_006690.png")]
    public void CamVidLabelsNeedTheirIdsNamed()
    {
        string label = SharedFolder.PathOf("data/camvid/train/labels/0001TP_006690.png");
        var reader = new MaskReader([ClassSpec.Parse("road"), ClassSpec.Parse("sky"), ClassSpec.Parse("car")], MaskFormat.Auto, null, null, UnmappedIdPolicy.Error);
        var e = Assert.Throws<ArgumentException>(() => reader.Read(label));
        Assert.Contains(Path.GetFileName(label), e.Message);
        var named = new MaskReader([ClassSpec.Parse("road=3"), ClassSpec.Parse("sky=0"), ClassSpec.Parse("car=8")], MaskFormat.Ids, null, [11], UnmappedIdPolicy.Background);
        var (masks, ignore) = named.Read(label);
        using (masks)
        using (ignore)
        {
            using var road = masks.Select(0, 0).Sum();
            Assert.True(road.Item<long>() > 0);
        }
    }

    [Fact]
    public void ColourMasksNeedTheColourModeAndSayWhichOptionFixesIt()
    {
        string image = Cli.SquareImage(PathOf("a.png"));
        string mask = Cli.SquareMask(PathOf("rgb.png"), [128, 0, 0], [0, 0, 0]);
        var (code, _, error) = Cli.Run("encode-prompts", "--example", image, "--mask", mask, "--class", "a", "--class", "b", "--out", PathOf("p.exemplar"));
        Assert.Equal(1, code);
        Assert.Contains("--mask-format rgb", error);
        // As VOC colours, (128, 0, 0) is id 1: class 'a'; class 'b' (green) is absent everywhere.
        var reader = new MaskReader([ClassSpec.Parse("a"), ClassSpec.Parse("b=#00ff00")], MaskFormat.Auto, null, null, UnmappedIdPolicy.Error);
        var (masks, _) = reader.Read(mask);
        using (masks)
        {
            using var a = masks.Select(0, 0).Sum();
            using var b = masks.Select(0, 1).Sum();
            Assert.Equal(32L * 32, a.Item<long>());
            Assert.Equal(0L, b.Item<long>());
        }
        // A colour that is no class says which options fix it.
        var white = new MaskReader([ClassSpec.Parse("a=#ffffff")], MaskFormat.Auto, null, null, UnmappedIdPolicy.Error);
        var e = Assert.Throws<ArgumentException>(() => white.Read(mask));
        Assert.Contains("colour (128, 0, 0)", e.Message);
        Assert.Contains("--other-ids ignore", e.Message);
    }

    [Fact]
    public void MasksCoveringAlmostAllOrNoneOfTheImageAreWarnedAbout()
    {
        string image = Cli.SquareImage(PathOf("a.png"));
        string full = Cli.SquareMask(PathOf("full.png"), [255], [255]);
        var (_, _, error) = Cli.Run("encode-prompts", "--example", image, "--mask", full, "--out", PathOf("p.exemplar"));
        Assert.Contains("warning: ", error);
        Assert.Contains("full.png: the mask covers 100.0%", error);

        var speck = new byte[4096];
        speck[0] = 255;
        using (var t = Exemplar.Torch.Tensor.From(speck, 1, 64, 64)) ImageWriter.WritePng(PathOf("speck.png"), t);
        (_, _, error) = Cli.Run("encode-prompts", "--example", image, "--mask", PathOf("speck.png"), "--out", PathOf("q.exemplar"));
        Assert.Contains("covers only 1 pixel(s)", error);
    }
}
