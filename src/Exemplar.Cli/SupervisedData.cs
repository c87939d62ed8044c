using Exemplar.Training.Segmentation;
using Exemplar.Vision.Datasets;

namespace Exemplar.Cli;

/// <summary>The labelled data sets a supervised model can be scored on, as <c>--dataset KIND:PATH</c> with <c>--split</c>.</summary>
internal static class SupervisedData
{
    /// <summary>The kinds, for help and errors.</summary>
    public static IReadOnlyList<string> Kinds => SupervisedDatasets.Names;

    /// <summary>Opens <paramref name="spec"/> (KIND:PATH) at <paramref name="split"/> (default: the validation split).</summary>
    /// <exception cref="ArgumentException">The spec is malformed or the kind unknown.</exception>
    /// <exception cref="DatasetLayoutException">The folder is not laid out as the kind expects (the message names the path).</exception>
    public static ISegmentationDataset Open(string spec, string? split)
    {
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == spec.Length - 1) throw new ArgumentException($"--dataset {spec}: give KIND:PATH with KIND one of {string.Join(", ", Kinds)}");
        string kind = spec[..colon], root = spec[(colon + 1)..];
        var found = SupervisedDatasets.Find(kind)
            ?? throw new ArgumentException($"--dataset {spec}: unknown kind '{kind}' for a supervised model{Suggest.DidYouMean(kind.ToLowerInvariant(), Kinds)}; use one of {string.Join(", ", Kinds)}");
        return SupervisedDatasets.Open(found, root, split ?? "val");
    }
}
