using Exemplar.Torch;
using Exemplar.Vision.Datasets;

namespace Exemplar.Vision.Tests.Datasets;

/// <summary>The shared CCP, magnetic-tile, DRIVE, ISBI-2012 and PerSeg folders.</summary>
public class SmallDatasetTests
{
    [SharedFact("data/ccp/labels.json", "data/ccp/masks/0002.png")]
    public void CcpHas59LabelsAndItsMasksStayInThem()
    {
        var ccp = new CcpDataset(SharedFolder.PathOf("data/ccp"));
        Assert.Equal(502, ccp.Count);
        Assert.Equal(59, ccp.Classes.Count);
        Assert.Equal("null", ccp.Classes[0].Name);
        Assert.Equal("wedges", ccp.Classes[58].Name);
        Assert.Equal("0002", ccp.Items[0].Id);
        using var sample = ccp.Load(0);
        Assert.Equal([3, 830, 550], sample.Image.Shape);
        // Classes of 0002.png, read with PIL: 0 14 19 24 32 41 44.
        Assert.Equal([0L, 14, 19, 24, 32, 41, 44], sample.Mask.ToArray<long>().Distinct().Order());
    }

    [SharedFact("data/magnetic-tile/MT_Blowhole/exp1_num_108719.png")]
    public void MagneticTileHasOneClassPerDefectType()
    {
        var tiles = new MagneticTileDataset(SharedFolder.PathOf("data/magnetic-tile"));
        Assert.Equal(["free", "Blowhole", "Break", "Crack", "Fray", "Uneven"], tiles.Classes.Select(c => c.Name));
        Assert.Equal(475, tiles.Count);
        Assert.Equal(212, tiles.Items.Count(i => i.Category == MagneticTileDataset.FreeType));
        Assert.Equal(263, new MagneticTileDataset(SharedFolder.PathOf("data/magnetic-tile"), new MagneticTileOptions { IncludeFree = false }).Count);
        int blowhole = tiles.Items.ToList().FindIndex(i => i.Id == "MT_Blowhole/exp1_num_108719");
        Assert.Equal([1L], tiles.Items[blowhole].ClassIds!);
        using var sample = tiles.Load(blowhole);
        Assert.Equal([3, 373, 248], sample.Image.Shape);
        Assert.Equal([0L, 1L], sample.Mask.ToArray<long>().Distinct().Order());
        int crack = tiles.Items.ToList().FindIndex(i => i.Category == "Crack");
        using (var crackSample = tiles.Load(crack))
        {
            Assert.Equal(DType.Int64, crackSample.Mask.DType);
            Assert.Equal([0L, 3L], crackSample.Mask.ToArray<long>().Distinct().Order());
        }
        int free = tiles.Items.ToList().FindIndex(i => i.Category == "Free");
        using var freeLabels = tiles.LoadLabelMap(free);
        using var any = freeLabels.Any();
        Assert.False(any.Item<bool>());
    }

    [SharedFact("data/drive/training/fov/21.png")]
    public void DriveIgnoresOutsideTheFieldOfView()
    {
        var drive = new DriveDataset(SharedFolder.PathOf("data/drive"));
        Assert.Equal(20, drive.Count);
        Assert.Equal("training/21", drive.Items[0].Id);
        using var sample = drive.Load(0);
        Assert.Equal([3, 584, 565], sample.Image.Shape);
        var labels = sample.Mask.ToArray<long>();
        Assert.Equal([0L, 1L, 255L], labels.Distinct().Order());
        using var fov = Exemplar.Vision.IO.ImageReader.ReadTensor(drive.FovPathOf(0));
        Assert.Equal(fov.ToArray<byte>().Count(v => v < 128), labels.Count(l => l == 255));
        var whole = new DriveDataset(SharedFolder.PathOf("data/drive"), new DriveOptions { IgnoreOutsideFov = false });
        using var vessels = whole.LoadLabelMap(0);
        Assert.Equal([0L, 1L], vessels.ToArray<long>().Distinct().Order());
    }

    [SharedFact("data/isbi2012/labels/0.png")]
    public void IsbiMembraneIsTheForeground()
    {
        var isbi = new IsbiDataset(SharedFolder.PathOf("data/isbi2012"));
        Assert.Equal(30, isbi.Count);
        Assert.Equal(["0", "1", "2"], isbi.Items.Take(3).Select(i => i.Id));
        Assert.Equal("membrane", isbi.Classes[1].Name);
        using var sample = isbi.Load(0);
        Assert.Equal([3, 512, 512], sample.Image.Shape);
        using var raw = Exemplar.Vision.IO.ImageReader.ReadTensor(isbi.Items[0].MaskPath!);
        int black = raw.ToArray<byte>().Count(v => v < 128);
        using var membrane = sample.Mask.Sum();
        Assert.Equal(black, membrane.Item<long>());
        var interior = new IsbiDataset(SharedFolder.PathOf("data/isbi2012"), new IsbiOptions { Foreground = IsbiForeground.CellInterior });
        using var cells = interior.LoadLabelMap(0);
        using var cellSum = cells.Sum();
        Assert.Equal(512 * 512 - black, cellSum.Item<long>());
    }

    [SharedFact("data/samples/perseg/cat_00.png")]
    public void PerSegGroupsPhotosByObject()
    {
        var perseg = new PerSegDataset(SharedFolder.PathOf("data/samples/perseg"));
        Assert.Equal(9, perseg.Count);
        Assert.Equal(["cat", "colorful_sneaker", "duck_toy"], perseg.Objects);
        Assert.Equal(["cat_00", "cat_01", "cat_02"], perseg.Items.Take(3).Select(i => i.Id));
        using var sample = perseg.Load(0);
        Assert.Equal([3, 1282, 1282], sample.Image.Shape);
        Assert.Equal([0L, 1L], sample.Mask.ToArray<long>().Distinct().Order());
    }
}
