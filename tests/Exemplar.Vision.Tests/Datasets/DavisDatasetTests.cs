using Exemplar.Torch;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.Datasets;

public class DavisDatasetTests
{
    private const string DogMask = "data/davis2016/Annotations/480p/dog/00000.png";

    [SharedFact(DogMask)]
    public void SharedSequencesAreListedWithEveryFrame()
    {
        var davis = new DavisDataset(SharedFolder.PathOf("data/davis2016"));
        Assert.Equal(["bmx-trees", "breakdance", "camel", "car-roundabout", "dance-twirl", "dog", "drift-chicane", "horsejump-high", "kite-surf", "paragliding-launch"], davis.Sequences);
        Assert.Equal(711, davis.Count);
        Assert.Equal(60, davis.FramesOf("dog").Count);
        Assert.Equal("dog/00000", davis.Items[davis.FramesOf("dog")[0]].Id);
        Assert.All(davis.Items, i => Assert.NotNull(i.MaskPath));
    }

    [SharedFact(DogMask)]
    public void MasksAreBinary()
    {
        var davis = new DavisDataset(SharedFolder.PathOf("data/davis2016"), new DavisOptions { Sequences = ["dog"] });
        Assert.Equal(60, davis.Count);
        using var sample = davis.Load(0);
        Assert.Equal([3, 480, 854], sample.Image.Shape);
        Assert.Equal([480, 854], sample.Mask.Shape);
        using var notBinary = sample.Mask.Gt(1);
        Assert.False(notBinary.Any().Item<bool>());
        using var area = sample.Mask.Sum();
        Assert.InRange(area.Item<long>(), 1000, 480 * 854 / 2);
    }

    [Fact]
    public void UnknownSequenceIsNamed()
    {
        using var folder = new Synthetic.TempFolder();
        Directory.CreateDirectory(folder.PathOf("JPEGImages/480p/a"));
        Directory.CreateDirectory(folder.PathOf("Annotations/480p/a"));
        var e = Assert.Throws<DatasetLayoutException>(() => new DavisDataset(folder.Root, new DavisOptions { Sequences = ["b"] }));
        Assert.Contains("'b'", e.Message);
        // A sequence without frames leaves the data set empty, which is an error too.
        var empty = Assert.Throws<DatasetLayoutException>(() => new DavisDataset(folder.Root));
        Assert.Contains("no items", empty.Message);
    }
}
