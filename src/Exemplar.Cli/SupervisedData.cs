using Exemplar.Vision.Datasets;

namespace Exemplar.Cli;

/// <summary>The labelled data sets a supervised model can be scored on, as <c>--dataset KIND:PATH</c> with <c>--split</c>.</summary>
internal static class SupervisedData
{
    /// <summary>The kinds, for help and errors.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["camvid", "voc", "datumaro", "cityscapes", "ade20k"];

    /// <summary>Opens <paramref name="spec"/> (KIND:PATH) at <paramref name="split"/> (default: the validation split).</summary>
    /// <exception cref="ArgumentException">The spec is malformed or the kind unknown.</exception>
    /// <exception cref="DatasetLayoutException">The folder is not laid out as the kind expects (the message names the path).</exception>
    public static ISegmentationDataset Open(string spec, string? split)
    {
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == spec.Length - 1) throw new ArgumentException($"--dataset {spec}: give KIND:PATH with KIND one of {string.Join(", ", Kinds)}");
        string kind = spec[..colon].ToLowerInvariant(), root = spec[(colon + 1)..];
        string s = split ?? "val";
        return kind switch
        {
            "camvid" => new CamVidDataset(root, new CamVidOptions { Split = s }),
            "voc" => new VocDataset(root, new VocOptions { Split = s }),
            // Datumaro keeps one folder per subset, or the subset's files at the root.
            "datumaro" => new DatumaroSegmentationDataset(root, new DatumaroSegmentationOptions { Split = Directory.Exists(Path.Combine(root, s)) ? s : null }),
            "cityscapes" => new CityscapesDataset(root, new CityscapesOptions { Split = s }),
            "ade20k" => new Ade20kDataset(root, new Ade20kOptions { Split = s }),
            _ => throw new ArgumentException($"--dataset {spec}: unknown kind '{kind}' for a supervised model{Suggest.DidYouMean(kind, Kinds)}; use one of {string.Join(", ", Kinds)}"),
        };
    }
}
