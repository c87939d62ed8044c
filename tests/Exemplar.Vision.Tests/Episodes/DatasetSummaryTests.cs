using System.Diagnostics;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Episodes;
using Xunit.Abstractions;

namespace Exemplar.Vision.Tests.Episodes;

/// <summary>
/// The counts of every shared data set and of the episodes built from it (printed as a Markdown table in the test
/// output). Only file listings and, for CamVid and CCP, their masks' class histograms are read: no image is decoded.
/// </summary>
public class DatasetSummaryTests(ITestOutputHelper output)
{
    private static string Data(string relative) => SharedFolder.PathOf(Path.Combine("data", relative));

    [SharedFact("data/camvid/val/labels/0016E5_07959.png", "data/ccp/labels.json", "data/coco-mini/annotations/instances_val2017.json",
        "data/davis2016/Annotations/480p/dog/00000.png", "data/magnetic-tile/MT_Blowhole/exp1_num_108719.png", "data/drive/training/fov/21.png",
        "data/isbi2012/labels/0.png", "data/samples/perseg/cat_00.png", "data/samples/fss1000/eiffel_tower/1.png")]
    public void SharedDataSetsAndTheirEpisodes()
    {
        var clock = Stopwatch.StartNew();
        var rows = new List<DatasetSummaryRow>();

        var fss = new FssDataset(Data("samples/fss1000"), new FssOptions { Split = FssSplit.All });
        rows.Add(DatasetSummary.Of(fss, FssEpisodes.Build(fss), FssEpisodes.Build(fss, new FssEpisodeOptions { Shots = 5 })));

        var davis = new DavisDataset(Data("davis2016"));
        rows.Add(DatasetSummary.Of(davis, InstanceEpisodes.Build(davis), InstanceEpisodes.Build(davis, new InstanceEpisodeOptions { Shots = 5 })));

        foreach (string split in new[] { "train", "val" })
        {
            var camvid = new CamVidDataset(Data("camvid"), new CamVidOptions { Split = split });
            var presence = ClassPresence.Of(camvid);
            rows.Add(DatasetSummary.Of(camvid, ClassEpisodes.Build(camvid, presence: presence), ClassEpisodes.Build(camvid, new ClassEpisodeOptions { Shots = 5 }, presence)));
        }

        foreach (string split in new[] { "train2017", "val2017" })
        {
            var coco = new CocoInstancesDataset(Data("coco-mini"), CocoOptions.ForSplit(split));
            var lists = Enumerable.Range(0, Coco20iEpisodes.FoldCount).SelectMany(fold => new[]
            {
                Coco20iEpisodes.Build(coco, new Coco20iOptions { Fold = fold }),
                Coco20iEpisodes.Build(coco, new Coco20iOptions { Fold = fold, Shots = 5 }),
            }).ToArray();
            rows.Add(DatasetSummary.Of(coco, lists));
        }

        var ccp = new CcpDataset(Data("ccp"));
        var ccpPresence = ClassPresence.Of(ccp);
        var background = new ClassEpisodeOptions { ExcludedClasses = [0] };
        rows.Add(DatasetSummary.Of(ccp, ClassEpisodes.Build(ccp, background, ccpPresence), ClassEpisodes.Build(ccp, background with { Shots = 5 }, ccpPresence)));

        var tiles = new MagneticTileDataset(Data("magnetic-tile"));
        rows.Add(DatasetSummary.Of(tiles, ClassEpisodes.Build(tiles, background), ClassEpisodes.Build(tiles, background with { Shots = 5 })));

        var perseg = new PerSegDataset(Data("samples/perseg"));
        rows.Add(DatasetSummary.Of(perseg, InstanceEpisodes.Build(perseg), InstanceEpisodes.Build(perseg, new InstanceEpisodeOptions { Shots = 2 })));

        rows.Add(DatasetSummary.Of(new DriveDataset(Data("drive"))));
        rows.Add(DatasetSummary.Of(new IsbiDataset(Data("isbi2012"))));

        output.WriteLine(DatasetSummary.ToMarkdown(rows));
        output.WriteLine($"({clock.ElapsedMilliseconds} ms)");

        // Images, masks, episodes: counted from the folders and JSON files, and with a NumPy/PIL replica of the sampling.
        Assert.Equal(
        [
            ("FSS-1000 (All)", 5, 5, 10),
            ("DAVIS (480p, 10 sequences)", 711, 711, 701 + 661),
            ("CamVid (train)", 367, 367, 3534 * 2),
            ("CamVid (val)", 101, 101, 1111 * 2),
            ("COCO instances (instances_train2017.json)", 80, 739, 8000),
            ("COCO instances (instances_val2017.json)", 79, 624, 8000),
            ("CCP", 502, 502, 3640 * 2),
            ("Magnetic tile", 475, 475, 263 * 2),
            ("PerSeg", 9, 9, 6 + 3),
            ("DRIVE (training)", 20, 20, 0),
            ("ISBI-2012", 30, 30, 0),
        ], rows.Select(r => (r.Dataset, r.Images, r.Masks, r.Episodes)));
        Assert.Equal(81, rows[4].Classes);
        Assert.Equal(59, rows[6].Classes);
        Assert.Equal("HsnetCoco20i, 5-shot, seed 0, fold 0: 1000 episodes", rows[5].EpisodeLists[1]);
    }
}
