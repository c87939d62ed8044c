namespace Exemplar.Vision.Episodes;

/// <summary>A sampled list of episodes with what it was sampled from and how; written to and read from JSON by <see cref="EpisodeListFile"/>.</summary>
/// <param name="Protocol">The sampling protocol.</param>
/// <param name="Dataset">The data set's name (see <see cref="Datasets.ISegmentationDataset.Name"/>).</param>
/// <param name="Shots">K, the support images per episode.</param>
/// <param name="Seed">The seed of the sampling.</param>
/// <param name="Fold">The fold, for protocols that have folds; otherwise null.</param>
/// <param name="Episodes">The episodes, in order.</param>
public sealed record EpisodeList(EpisodeProtocol Protocol, string Dataset, int Shots, uint Seed, int? Fold, IReadOnlyList<Episode> Episodes)
{
    /// <summary>Number of episodes.</summary>
    public int Count => Episodes.Count;

    /// <summary>Equal when every field is, the episodes compared in order.</summary>
    public bool Equals(EpisodeList? other) =>
        other is not null && Protocol == other.Protocol && Dataset == other.Dataset && Shots == other.Shots
        && Seed == other.Seed && Fold == other.Fold && Episodes.SequenceEqual(other.Episodes);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Protocol, Dataset, Shots, Seed, Fold, Episodes.Count);
}
