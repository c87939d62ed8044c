using Exemplar.Vision.Datasets;
using Exemplar.Vision.Episodes;

namespace Exemplar.Vision.Tests.Episodes;

public class Coco20iEpisodesTests
{
    private const string ValJson = "data/coco-mini/annotations/instances_val2017.json";

    [Fact]
    public void FoldsTakeEveryFourthClass()
    {
        Assert.Equal([1L, 5, 9, 13, 17, 21, 25, 29, 33, 37, 41, 45, 49, 53, 57, 61, 65, 69, 73, 77], Coco20iEpisodes.TestLabels(0));
        Assert.Equal(80L, Coco20iEpisodes.TestLabels(3)[^1]);
        Assert.Equal(Enumerable.Range(1, 80).Select(l => (long)l), Enumerable.Range(0, 4).SelectMany(Coco20iEpisodes.TestLabels).Order());
        Assert.Equal(60, Coco20iEpisodes.TrainLabels(1).Count);
        Assert.DoesNotContain(2L, Coco20iEpisodes.TrainLabels(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Coco20iEpisodes.TestLabels(4));
    }

    [SharedFact(ValJson)]
    public void MiniValEpisodesArePinnedForSeedZero()
    {
        var coco = new CocoInstancesDataset(SharedFolder.PathOf("data/coco-mini"), CocoOptions.ForSplit("val2017"));
        var fold0 = Coco20iEpisodes.Build(coco);
        Assert.Equal(1000, fold0.Count);
        Assert.Equal(0, fold0.Fold);
        // HSNet's sampling with np.random.seed(0) over the 16 fold-0 classes with two images or more (checked with NumPy).
        Assert.Equal([(5L, "000000101787", "000000205401"), (57, "000000174231", "000000011813"), (13, "000000328683", "000000370208")],
            fold0.Episodes.Take(3).Select(e => (e.ClassLabel, e.Query.Id, e.Support[0].Id)));
        Assert.Equal(("airplane", 4), (fold0.Episodes[0].ClassName, fold0.Episodes[0].ClassId));
        Assert.Equal("val2017/000000101787.jpg", fold0.Episodes[0].Query.Image);
        Assert.Null(fold0.Episodes[0].Query.Mask);
        Assert.All(fold0.Episodes, e => Assert.Contains(e.ClassLabel, Coco20iEpisodes.TestLabels(0)));
        Assert.Equal(16, fold0.Episodes.Select(e => e.ClassLabel).Distinct().Count());
        var fiveShot = Coco20iEpisodes.Build(coco, new Coco20iOptions { Shots = 5 });
        Assert.Equal(["000000000139", "000000174231", "000000237517", "000000237517", "000000516916"], fiveShot.Episodes[1].Support.Select(s => s.Id));
        var fold3 = Coco20iEpisodes.Build(coco, new Coco20iOptions { Fold = 3 });
        Assert.Equal((60L, "000000403353", "000000022192"), (fold3.Episodes[0].ClassLabel, fold3.Episodes[0].Query.Id, fold3.Episodes[0].Support[0].Id));
    }
}
