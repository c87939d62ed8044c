using Exemplar.Torch;
using Exemplar.Vision.Datasets;

namespace Exemplar.Vision.Tests.Datasets;

public class CamVidDatasetTests
{
    private const string Label = "data/camvid/val/labels/0016E5_07959.png";

    [SharedFact(Label, "data/camvid/train/labels/0001TP_006690.png")]
    public void SplitsHaveTheirImagesAndLabels()
    {
        string root = SharedFolder.PathOf("data/camvid");
        var train = new CamVidDataset(root);
        var val = new CamVidDataset(root, new CamVidOptions { Split = "val" });
        Assert.Equal(367, train.Count);
        Assert.Equal(101, val.Count);
        Assert.Equal("train/0001TP_006690", train.Items[0].Id);
        Assert.Equal(11, train.Classes.Count);
        Assert.Equal("bicyclist", train.Classes[10].Name);
        Assert.Throws<DatasetLayoutException>(() => new CamVidDataset(root, new CamVidOptions { Split = "test" }));
    }

    [SharedFact(Label)]
    public void LabelsAreClassIdsWithVoidIgnored()
    {
        var val = new CamVidDataset(SharedFolder.PathOf("data/camvid"), new CamVidOptions { Split = "val" });
        using var sample = val.Load(0);
        Assert.Equal([3, 360, 480], sample.Image.Shape);
        var values = sample.Mask.ToArray<long>().Distinct().Order().ToArray();
        Assert.All(values, v => Assert.True(v is >= 0 and <= 10 or 255, $"label {v}"));
        Assert.DoesNotContain(11L, values);
        Assert.Contains(3L, values); // road
        // The file itself stores 0..11, 11 being void.
        using var raw = Exemplar.Vision.IO.ImageReader.ReadTensor(val.Items[0].MaskPath!);
        Assert.All(raw.ToArray<byte>().Distinct(), v => Assert.InRange(v, (byte)0, (byte)11));
    }
}
