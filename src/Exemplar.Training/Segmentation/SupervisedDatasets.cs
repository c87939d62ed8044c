using Exemplar.Vision.Datasets;

namespace Exemplar.Training.Segmentation;

/// <summary>The labelled data set layouts supervised training, evaluation and calibration read.</summary>
public enum SupervisedDatasetKind
{
    /// <summary>CamVid as prepared for SegNet (<c>{split}/images</c>, <c>{split}/labels</c>; 11 classes, 11 = void).</summary>
    Camvid,
    /// <summary>PASCAL VOC 2012 (<c>ImageSets/Segmentation/{split}.txt</c>).</summary>
    Voc,
    /// <summary>Datumaro's common semantic segmentation format (OTX's): one folder per subset, or the subset at the root.</summary>
    Datumaro,
    /// <summary>Cityscapes (<c>leftImg8bit</c>, <c>gtFine</c>; the 19 train ids).</summary>
    Cityscapes,
    /// <summary>ADE20K (ADEChallengeData2016; 150 classes, 0 ignored).</summary>
    Ade20k,
}

/// <summary>Opens a supervised data set by kind, root and split: the one place that maps the kinds onto the loaders.</summary>
public static class SupervisedDatasets
{
    /// <summary>The kinds as the command line and recipes write them.</summary>
    public static IReadOnlyList<string> Names => NameList;

    private static readonly string[] NameList = ["camvid", "voc", "datumaro", "cityscapes", "ade20k"];

    /// <summary>The kind called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static SupervisedDatasetKind? Find(string name) => Array.IndexOf(NameList, name.ToLowerInvariant()) is >= 0 and var i ? (SupervisedDatasetKind)i : null;

    /// <summary>Opens the <paramref name="split"/> of the data set at <paramref name="root"/>.</summary>
    /// <exception cref="DatasetLayoutException">The folder is not laid out as the kind expects (the message names the path).</exception>
    public static ISegmentationDataset Open(SupervisedDatasetKind kind, string root, string split) => kind switch
    {
        SupervisedDatasetKind.Camvid => new CamVidDataset(root, new CamVidOptions { Split = split }),
        SupervisedDatasetKind.Voc => new VocDataset(root, new VocOptions { Split = split }),
        SupervisedDatasetKind.Datumaro => new DatumaroSegmentationDataset(root, new DatumaroSegmentationOptions { Split = Directory.Exists(Path.Combine(root, split)) ? split : null }),
        SupervisedDatasetKind.Cityscapes => new CityscapesDataset(root, new CityscapesOptions { Split = split }),
        _ => new Ade20kDataset(root, new Ade20kOptions { Split = split }),
    };
}
