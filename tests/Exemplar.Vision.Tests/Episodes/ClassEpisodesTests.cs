using System.Diagnostics;
using Exemplar.Torch;
using Exemplar.Vision.Transforms;
using Xunit.Abstractions;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Episodes;

namespace Exemplar.Vision.Tests.Episodes;

/// <summary>Class-level episodes of the shared labelled sets; expected values from a NumPy/PIL replica of the sampling.</summary>
public class ClassEpisodesTests(ITestOutputHelper output)
{
    [SharedFact("data/magnetic-tile/MT_Blowhole/exp1_num_108719.png")]
    public void MagneticTileUsesTheFolderClasses()
    {
        var tiles = new MagneticTileDataset(SharedFolder.PathOf("data/magnetic-tile"));
        var episodes = ClassEpisodes.Build(tiles, new ClassEpisodeOptions { ExcludedClasses = [0] });
        Assert.Equal(263, episodes.Count);
        Assert.Equal([("MT_Blowhole/exp1_num_108719", "MT_Blowhole/exp4_num_4995"), ("MT_Blowhole/exp1_num_108889", "MT_Blowhole/exp2_num_7009")],
            episodes.Episodes.Take(2).Select(e => (e.Query.Id, e.Support[0].Id)));
        Assert.Equal(("Blowhole", 1, 1L), (episodes.Episodes[0].ClassName, episodes.Episodes[0].ClassId, episodes.Episodes[0].ClassLabel));
        Assert.Equal(5, episodes.Episodes.Select(e => e.ClassLabel).Distinct().Count());
        var fiveShot = ClassEpisodes.Build(tiles, new ClassEpisodeOptions { ExcludedClasses = [0], Shots = 5 });
        Assert.Equal(["MT_Blowhole/exp4_num_4995", "MT_Blowhole/exp2_num_7009", "MT_Blowhole/exp6_num_346414", "MT_Blowhole/exp4_num_308078", "MT_Blowhole/exp3_num_36246"],
            fiveShot.Episodes[0].Support.Select(s => s.Id));
        var thousand = ClassEpisodes.Build(tiles, new ClassEpisodeOptions { ExcludedClasses = [0], EpisodeCount = 1000 });
        Assert.Equal(thousand.Episodes[263].Query, thousand.Episodes[0].Query);
    }

    [SharedFact("data/camvid/val/labels/0016E5_07959.png")]
    public void CamVidValEpisodesFromDecodedMasks()
    {
        var val = new CamVidDataset(SharedFolder.PathOf("data/camvid"), new CamVidOptions { Split = "val" });
        var clock = Stopwatch.StartNew();
        var presence = ClassPresence.Of(val);
        output.WriteLine($"class presence of {val.Count} CamVid masks: {clock.ElapsedMilliseconds} ms");
        Assert.Equal(1111, presence.Sum(p => p.Count));
        var episodes = ClassEpisodes.Build(val, presence: presence);
        Assert.Equal(1111, episodes.Count);
        Assert.Equal([(0L, "val/0016E5_07959", "val/0016E5_08011"), (1, "val/0016E5_07959", "val/0016E5_07995"), (2, "val/0016E5_07959", "val/0016E5_08079")],
            episodes.Episodes.Take(3).Select(e => (e.ClassLabel, e.Query.Id, e.Support[0].Id)));
        Assert.Equal("sky", episodes.Episodes[0].ClassName);
    }

    [Fact]
    public void ClassesInASingleImageMakeNoEpisode()
    {
        var presence = new IReadOnlyList<long>[] { [0, 1, 2], [0, 1], [0, 3] };
        var dataset = new TinyDataset(3);
        var episodes = ClassEpisodes.Build(dataset, new ClassEpisodeOptions { ExcludedClasses = [0] }, presence);
        Assert.Equal([(0, 1L), (1, 1L)], episodes.Episodes.Select(e => (e.Query.Index, e.ClassLabel)));
        Assert.Equal([1, 0], episodes.Episodes.Select(e => e.Support[0].Index));
        Assert.Throws<InvalidOperationException>(() => ClassEpisodes.Build(dataset, new ClassEpisodeOptions { Classes = [3] }, presence));
    }

    [Fact]
    public void PresenceNamesABadMask()
    {
        using var folder = new Support.Synthetic.TempFolder();
        Support.DatasetFolders.Jpeg(folder.PathOf("train/images/a.jpg"), 2, 2);
        Support.DatasetFolders.GrayPng(folder.PathOf("train/labels/a.png"), [[0, 1], [11, 1]]);
        Support.DatasetFolders.Jpeg(folder.PathOf("train/images/b.jpg"), 2, 2);
        File.WriteAllBytes(folder.PathOf("train/labels/b.png"), [0x89, 0x50, 0x4E, 0x47]);
        var camvid = new CamVidDataset(folder.Root);
        var e = Assert.Throws<ImageFormatException>(() => ClassPresence.Of(camvid));
        Assert.EndsWith("b.png", e.FilePath);
        File.Delete(folder.PathOf("train/labels/b.png"));
        Support.DatasetFolders.GrayPng(folder.PathOf("train/labels/b.png"), [[1, 1], [1, 1]]);
        Assert.Equal([[0L, 1], [1]], ClassPresence.Of(camvid));
        // a.png holds 0 once, 1 twice and void once.
        Assert.Equal([[1L], [1]], ClassPresence.Of(camvid, minPixels: 2));
    }

    /// <summary>Three items, never decoded.</summary>
    internal sealed class TinyDataset(int count) : ISegmentationDataset
    {
        public string Name => "tiny";

        public string Root => "/tiny";

        public int Count => count;

        public IReadOnlyList<DatasetClass> Classes { get; } = Enumerable.Range(0, 4).Select(i => new DatasetClass(i, $"c{i}")).ToArray();

        public long IgnoreLabel => 255;

        public IReadOnlyList<DatasetItem> Items { get; } = Enumerable.Range(0, count).Select(i => new DatasetItem($"i{i}", $"/tiny/{i}.jpg", $"/tiny/{i}.png")).ToArray();

        public SegmentationSample Load(int index) => throw new NotSupportedException();

        public Tensor LoadLabelMap(int index) => throw new NotSupportedException();
    }
}
