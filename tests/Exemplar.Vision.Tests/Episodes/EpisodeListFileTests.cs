using Exemplar.Vision.Episodes;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.Episodes;

public class EpisodeListFileTests
{
    private static EpisodeList Sample() => new(EpisodeProtocol.HsnetCoco20i, "COCO instances (instances_val2017.json)", 2, 0, 1,
    [
        new(new EpisodeItem(3, "000000000139", "val2017/000000000139.jpg", null),
            [new EpisodeItem(7, "000000000632", "val2017/000000000632.jpg", null), new EpisodeItem(7, "000000000632", "val2017/000000000632.jpg", null)],
            1, "bicycle", 2),
        new(new EpisodeItem(0, "eiffel_tower/1", "eiffel_tower/1.jpg", "eiffel_tower/1.png"),
            [new EpisodeItem(2, "eiffel_tower/3", "eiffel_tower/3.jpg", "eiffel_tower/3.png")], 760, "l'été \"quoted\"", 1),
    ]);

    [Fact]
    public void ListsRoundTripThroughJsonFiles()
    {
        using var folder = new Synthetic.TempFolder();
        var list = Sample();
        string path = folder.PathOf("episodes.json");
        EpisodeListFile.Write(path, list);
        var read = EpisodeListFile.Read(path);
        Assert.Equal(list, read);
        Assert.Equal(list.Episodes[1].ClassName, read.Episodes[1].ClassName);
        Assert.Null(read.Episodes[0].Query.Mask);
        Assert.Equal(EpisodeListFile.ToJson(list), EpisodeListFile.ToJson(read));
        Assert.NotEqual(list, list with { Seed = 1 });
        Assert.NotEqual(list, list with { Episodes = [list.Episodes[0]] });
        Assert.Throws<IOException>(() => EpisodeListFile.Write(path, list));
        EpisodeListFile.Write(path, list with { Fold = null }, overwrite: true);
        Assert.Null(EpisodeListFile.Read(path).Fold);
    }

    [Fact]
    public void MalformedListsNameTheFieldAndTheFile()
    {
        string json = EpisodeListFile.ToJson(Sample());
        var noQuery = Assert.Throws<InvalidDataException>(() => EpisodeListFile.FromJson(json.Replace("\"query\"", "\"qyery\""), "list.json"));
        Assert.Contains("list.json", noQuery.Message);
        Assert.Contains("episode 0 has no valid \"query\"", noQuery.Message);
        var protocol = Assert.Throws<InvalidDataException>(() => EpisodeListFile.FromJson(json.Replace("HsnetCoco20i", "Magic"), "list.json"));
        Assert.Contains("Magic", protocol.Message);
        Assert.Throws<InvalidDataException>(() => EpisodeListFile.FromJson("{\"protocol\": ", "list.json"));
    }
}
