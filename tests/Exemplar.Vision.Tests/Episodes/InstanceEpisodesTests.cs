using Exemplar.Vision.Datasets;
using Exemplar.Vision.Episodes;

namespace Exemplar.Vision.Tests.Episodes;

public class InstanceEpisodesTests
{
    [SharedFact("data/davis2016/Annotations/480p/dog/00000.png")]
    public void DavisFirstFramesAreTheExamples()
    {
        var davis = new DavisDataset(SharedFolder.PathOf("data/davis2016"));
        var oneShot = InstanceEpisodes.Build(davis);
        Assert.Equal(711 - 10, oneShot.Count);
        Assert.Equal(("bmx-trees/00001", "bmx-trees/00000", 0, "bmx-trees"), (oneShot.Episodes[0].Query.Id, oneShot.Episodes[0].Support[0].Id, oneShot.Episodes[0].ClassId, oneShot.Episodes[0].ClassName));
        var dog = oneShot.Episodes.Where(e => e.ClassName == "dog").ToArray();
        Assert.Equal(59, dog.Length);
        Assert.All(dog, e => Assert.Equal("dog/00000", Assert.Single(e.Support).Id));
        Assert.Equal(5, dog[0].ClassId);
        var threeShot = InstanceEpisodes.Build(davis, new InstanceEpisodeOptions { Shots = 3 });
        Assert.Equal(711 - 30, threeShot.Count);
        Assert.Equal(["bmx-trees/00000", "bmx-trees/00001", "bmx-trees/00002"], threeShot.Episodes[0].Support.Select(s => s.Id));
    }

    [SharedFact("data/samples/perseg/cat_00.png")]
    public void PerSegPhotoZeroIsTheExample()
    {
        var perseg = new PerSegDataset(SharedFolder.PathOf("data/samples/perseg"));
        var episodes = InstanceEpisodes.Build(perseg);
        Assert.Equal(6, episodes.Count);
        Assert.Equal([("cat_01", "cat_00"), ("cat_02", "cat_00"), ("colorful_sneaker_01", "colorful_sneaker_00")],
            episodes.Episodes.Take(3).Select(e => (e.Query.Id, e.Support[0].Id)));
        Assert.Throws<InvalidOperationException>(() => InstanceEpisodes.Build(perseg, new InstanceEpisodeOptions { Shots = 3 }));
    }
}
