using Exemplar.Vision.Datasets;
using Exemplar.Vision.Episodes;

namespace Exemplar.InContext.Evaluation;

/// <summary>The data sets <c>exemplar eval</c> knows, each with the episode protocol the literature uses for it.</summary>
public enum DatasetKind
{
    /// <summary>FSS-1000 (HSNet's protocol on the test split: every test image a query once).</summary>
    Fss1000,
    /// <summary>COCO-20i (HSNet: 4 folds, 1000 episodes per fold).</summary>
    Coco20i,
    /// <summary>PASCAL-5i (4 folds of 5 classes, 1000 episodes).</summary>
    Pascal5i,
    /// <summary>LVIS-92i (10 folds, Matcher's protocol).</summary>
    Lvis92i,
    /// <summary>The COCO-20i folds restricted to the coco-mini images.</summary>
    CocoMini,
    /// <summary>Clothing Co-Parsing, class-level episodes (the "null" class excluded).</summary>
    Ccp,
    /// <summary>CamVid (val split), class-level episodes.</summary>
    CamVid,
    /// <summary>Magnetic-tile defects, one class per defect type (defect-free excluded).</summary>
    MagneticTile,
    /// <summary>DAVIS-2016: the first frame and its mask are the example, every other frame a target.</summary>
    Davis2016,
    /// <summary>PerSeg: per object, the first photo is the example, the others targets.</summary>
    PerSeg,
    /// <summary>DRIVE retinal vessels, class-level episodes.</summary>
    Drive,
    /// <summary>ISBI-2012 membranes, class-level episodes.</summary>
    Isbi2012,
}

/// <summary>How episodes are drawn.</summary>
/// <param name="Shots">Examples per episode (K).</param>
/// <param name="Episodes">At most this many episodes (the protocol's own count when null).</param>
/// <param name="Seed">Seed of the episode sampler (the literature uses 0).</param>
/// <param name="Fold">Fold of COCO-20i, PASCAL-5i, LVIS-92i and coco-mini.</param>
public sealed record EpisodeOptions(int Shots = 1, int? Episodes = null, uint Seed = 0, int Fold = 0);

/// <summary>A data set to evaluate on: its kind and root folder (<c>KIND:PATH</c> on the command line).</summary>
/// <param name="Kind">Which data set.</param>
/// <param name="Root">Its root folder.</param>
public sealed record EvaluationDataset(DatasetKind Kind, string Root)
{
    private static readonly Dictionary<string, DatasetKind> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["fss1000"] = DatasetKind.Fss1000, ["coco20i"] = DatasetKind.Coco20i, ["pascal5i"] = DatasetKind.Pascal5i,
        ["lvis92i"] = DatasetKind.Lvis92i, ["coco-mini"] = DatasetKind.CocoMini, ["ccp"] = DatasetKind.Ccp,
        ["camvid"] = DatasetKind.CamVid, ["magnetic-tile"] = DatasetKind.MagneticTile, ["davis2016"] = DatasetKind.Davis2016,
        ["perseg"] = DatasetKind.PerSeg, ["drive"] = DatasetKind.Drive, ["isbi2012"] = DatasetKind.Isbi2012,
    };

    /// <summary>The command-line name of the kind, e.g. "magnetic-tile".</summary>
    public string KindName => Names.First(kv => kv.Value == Kind).Key;

    /// <summary>Parses <c>KIND:PATH</c>, e.g. <c>davis2016:../shared/data/davis2016</c>.</summary>
    /// <exception cref="ArgumentException">Unknown kind (the message lists them) or no path.</exception>
    public static EvaluationDataset Parse(string text)
    {
        int colon = text.IndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) throw new ArgumentException($"'{text}' is not KIND:PATH (kinds: {string.Join(", ", Names.Keys)})");
        string kind = text[..colon];
        if (!Names.TryGetValue(kind, out var k)) throw new ArgumentException($"unknown data set kind '{kind}'; kinds: {string.Join(", ", Names.Keys)}");
        return new EvaluationDataset(k, text[(colon + 1)..]);
    }

    /// <summary>Opens the data set and draws its episodes with the protocol of its kind.</summary>
    public (ISegmentationDataset Dataset, EpisodeList Episodes) Open(EpisodeOptions options)
    {
        switch (Kind)
        {
            case DatasetKind.Fss1000:
                var fss = new FssDataset(Root, new FssOptions { Split = FssSplitPresent(Root) });
                return (fss, Limit(FssEpisodes.Build(fss, new FssEpisodeOptions { Shots = options.Shots, Seed = options.Seed }), options));
            case DatasetKind.Coco20i:
            case DatasetKind.CocoMini:
                var coco = Kind == DatasetKind.CocoMini
                    ? (CocoInstancesDataset)OpenDataset(SplitSide.Eval)
                    : new CocoInstancesDataset(Root, new CocoOptions { AnnotationFile = "annotations/instances_val2014.json", ImageFolder = "val2014" });
                return (coco, Coco20iEpisodes.Build(coco, new Coco20iOptions { Fold = options.Fold, Shots = options.Shots, Seed = options.Seed, EpisodeCount = options.Episodes ?? 1000 }));
            case DatasetKind.Lvis92i:
                var lvis = new CocoInstancesDataset(Root, new CocoOptions { AnnotationFile = "lvis_v1_val.json", ImageFolder = "." });
                return (lvis, Lvis92iEpisodes.Build(lvis, new Lvis92iOptions { Fold = options.Fold, Shots = options.Shots, Seed = options.Seed, EpisodeCount = options.Episodes ?? 2300 }));
            case DatasetKind.Pascal5i:
                var voc = new VocDataset(Root, new VocOptions());
                return (voc, Pascal5iEpisodes.Build(voc, new Pascal5iOptions { Fold = options.Fold, Shots = options.Shots, Seed = options.Seed, EpisodeCount = options.Episodes ?? 1000 }));
            case DatasetKind.Davis2016:
                var davis = new DavisDataset(Root);
                return (davis, Limit(InstanceEpisodes.Build(davis, new InstanceEpisodeOptions { Shots = options.Shots }), options));
            case DatasetKind.PerSeg:
                var perseg = new PerSegDataset(Root);
                return (perseg, Limit(InstanceEpisodes.Build(perseg, new InstanceEpisodeOptions { Shots = options.Shots }), options));
            default:
                var dataset = OpenDataset(SplitSide.Eval);
                return (dataset, ClassEpisodes.Build(dataset, new ClassEpisodeOptions { Shots = options.Shots, Seed = options.Seed, ExcludedClasses = ExcludedClasses, EpisodeCount = options.Episodes }));
        }
    }

    /// <summary>
    /// HSNet's test split when the folder holds its classes (the full FSS-1000); every class present otherwise (a partial
    /// copy such as the shared sample, whose class is in no split file).
    /// </summary>
    private static FssSplit FssSplitPresent(string root)
    {
        string list = Path.Combine(root, "splits", "test.txt");
        bool hasTestClasses = File.Exists(list) && File.ReadLines(list).Any(c => c.Length > 0 && Directory.Exists(Path.Combine(root, c.Trim())));
        return hasTestClasses ? FssSplit.Test : FssSplit.All;
    }

    /// <summary>
    /// The data set on one side of the shared split table: CamVid's train or val folder, COCO-mini's train2017 or
    /// val2017, CCP, magnetic tiles, DRIVE and ISBI by their numbering rule (<see cref="SharedSplits"/>). DAVIS's sides
    /// are separate folders (<c>davis2016-train</c>, <c>davis2016</c>): <see cref="Root"/> is the side. PerSeg and the
    /// FSS-1000 sample are evaluation only.
    /// </summary>
    /// <exception cref="ArgumentException">The kind has no train side here.</exception>
    public ISegmentationDataset OpenDataset(SplitSide side) => Kind switch
    {
        DatasetKind.Ccp => SharedSplits.Select(new CcpDataset(Root), NumberedSplit.Ccp, side),
        DatasetKind.CamVid => new CamVidDataset(Root, new CamVidOptions { Split = side == SplitSide.Eval ? "val" : "train" }),
        DatasetKind.MagneticTile => SharedSplits.Select(new MagneticTileDataset(Root), NumberedSplit.MagneticTile, side),
        DatasetKind.Drive => SharedSplits.Select(new DriveDataset(Root), NumberedSplit.Drive, side),
        DatasetKind.Isbi2012 => SharedSplits.Select(new IsbiDataset(Root), NumberedSplit.Isbi2012, side),
        DatasetKind.CocoMini => new CocoInstancesDataset(Root, side == SplitSide.Eval
            ? new CocoOptions { AnnotationFile = "annotations/instances_val2017.json", ImageFolder = "val2017" }
            : new CocoOptions { AnnotationFile = "annotations/instances_train2017.json", ImageFolder = "train2017" }),
        DatasetKind.Davis2016 => new DavisDataset(Root),
        _ when side == SplitSide.Eval => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "not a class-level data set"),
        _ => throw new ArgumentException($"{KindName} is for evaluation only: nothing may be trained on it"),
    };

    /// <summary>Class labels that are no episode's class (the "null"/"defect-free" background of CCP and magnetic tiles).</summary>
    public IReadOnlyList<long> ExcludedClasses => Kind is DatasetKind.Ccp or DatasetKind.MagneticTile ? [0] : [];

    private static EpisodeList Limit(EpisodeList list, EpisodeOptions options)
    {
        if (options.Episodes is not { } n || n >= list.Episodes.Count) return list;
        var kept = Enumerable.Range(0, n).Select(i => list.Episodes[(int)((long)i * list.Episodes.Count / n)]).ToList();
        return list with { Episodes = kept };
    }
}
