using Exemplar.Vision.Datasets;
using Exemplar.Vision.Episodes;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.Episodes;

public class FssEpisodesTests
{
    private const string Sample = "data/samples/fss1000/eiffel_tower/1.png";

    private static string[] Names(EpisodeItem[] items) => items.Select(i => Path.GetFileNameWithoutExtension(i.Image)).ToArray();

    [SharedFact(Sample)]
    public void EveryImageIsAQueryWithHsnetSupports()
    {
        var fss = new FssDataset(SharedFolder.PathOf("data/samples/fss1000"), new FssOptions { Split = FssSplit.All });
        // HSNet's loop with np.random.seed(0), the population being the class's images 1..5.
        var oneShot = FssEpisodes.Build(fss);
        Assert.Equal(5, oneShot.Count);
        Assert.Equal(EpisodeProtocol.HsnetFss, oneShot.Protocol);
        Assert.Equal(["1", "2", "3", "4", "5"], oneShot.Episodes.Select(e => Path.GetFileNameWithoutExtension(e.Query.Image)));
        Assert.Equal([["3"], ["1"], ["2"], ["5"], ["3"]], oneShot.Episodes.Select(e => Names([.. e.Support])));
        Assert.All(oneShot.Episodes, e => Assert.Equal((0, "eiffel_tower", 1L), (e.ClassId, e.ClassName, e.ClassLabel)));
        Assert.Equal("eiffel_tower/1.jpg", oneShot.Episodes[0].Query.Image);
        Assert.Equal("eiffel_tower/1.png", oneShot.Episodes[0].Query.Mask);
        var fiveShot = FssEpisodes.Build(fss, new FssEpisodeOptions { Shots = 5 });
        Assert.Equal(["3", "2", "4", "5", "3"], Names([.. fiveShot.Episodes[0].Support]));
        Assert.Equal(["2", "4", "4", "5", "1"], Names([.. fiveShot.Episodes[2].Support]));
        Assert.All(fiveShot.Episodes, e => Assert.DoesNotContain(e.Query, e.Support));
    }

    [Fact]
    public void TenImageClassesDrawLikeHsnetsRangeOneToTen()
    {
        using var folder = new Synthetic.TempFolder();
        for (int n = 1; n <= 10; n++)
        {
            DatasetFolders.Jpeg(folder.PathOf($"owl/{n}.jpg"), 2, 2);
            DatasetFolders.GrayPng(folder.PathOf($"owl/{n}.png"), DatasetFolders.Fill(2, 2, 255));
        }
        DatasetFolders.Text(folder.PathOf("splits/test.txt"), "owl\n");
        var fss = new FssDataset(folder.Root);
        var episodes = FssEpisodes.Build(fss);
        // np.random.seed(0); np.random.choice(range(1, 11), 1, replace=False) gives 3 4 3 7 6 2 4 1 8 2 10 5 …; queries
        // in sorted(glob) order 1, 10, 2, 3, …; a draw equal to the query is spent and drawn again.
        Assert.Equal(["1", "10", "2", "3", "4", "5", "6", "7", "8", "9"], episodes.Episodes.Select(e => Path.GetFileNameWithoutExtension(e.Query.Image)));
        Assert.Equal(["3", "4", "3", "7", "6", "2", "4", "1", "2", "10"], episodes.Episodes.Select(e => Names([.. e.Support])[0]));
        Assert.All(episodes.Episodes, e => Assert.Equal(760, e.ClassId));
    }
}
