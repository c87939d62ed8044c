namespace Exemplar.Vision.Episodes;

/// <summary>One image of an episode, as a data set item.</summary>
/// <param name="Index">The item's index in the data set.</param>
/// <param name="Id">The item's id (checked against the data set when the episode is loaded).</param>
/// <param name="Image">The image file, relative to the data set root, '/' separators.</param>
/// <param name="Mask">The mask file, relative to the data set root, or null for annotation-based data sets.</param>
public sealed record EpisodeItem(int Index, string Id, string Image, string? Mask);

/// <summary>
/// A few-shot episode: segment class <see cref="ClassName"/> in the query image, given the support images and their
/// masks of that class. The binary masks are the pixels of the label maps equal to <see cref="ClassLabel"/> (see
/// <see cref="EpisodeLoader"/>).
/// </summary>
/// <param name="Query">The image to segment.</param>
/// <param name="Support">The K examples (a protocol may repeat one, as HSNet's sampling can).</param>
/// <param name="ClassId">
/// The class id the benchmark scores by (per-class IoU): HSNet's class index for FSS-1000 (760.. for the test split),
/// COCO-20i and PASCAL-5i (0-based), Matcher's for LVIS-92i; the label value for class-level episodes of other data
/// sets; the object's index for instance-level episodes.
/// </param>
/// <param name="ClassName">The class (or object, or sequence) name.</param>
/// <param name="ClassLabel">The value the class has in the data set's label maps.</param>
public sealed record Episode(EpisodeItem Query, IReadOnlyList<EpisodeItem> Support, int ClassId, string ClassName, long ClassLabel)
{
    /// <summary>Equal when every field is, the support items compared in order.</summary>
    public bool Equals(Episode? other) =>
        other is not null && Query == other.Query && Support.SequenceEqual(other.Support)
        && ClassId == other.ClassId && ClassName == other.ClassName && ClassLabel == other.ClassLabel;

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Query);
        foreach (var s in Support) hash.Add(s);
        hash.Add(ClassId);
        hash.Add(ClassName);
        hash.Add(ClassLabel);
        return hash.ToHashCode();
    }
}

/// <summary>How an episode list was sampled.</summary>
public enum EpisodeProtocol
{
    /// <summary>HSNet's FSS-1000 test: every image is a query once; supports drawn from its class.</summary>
    HsnetFss,
    /// <summary>HSNet's COCO-20i test: 1000 episodes per fold, class then query then supports drawn at random.</summary>
    HsnetCoco20i,
    /// <summary>HSNet's PASCAL-5i test: 1000 episodes cycling through the fold's (image, class) list.</summary>
    HsnetPascal5i,
    /// <summary>Matcher's LVIS-92i test: 2300 episodes per fold cycling through the fold's classes.</summary>
    MatcherLvis92i,
    /// <summary>Class-level episodes of a labelled data set: one per (image, class present), supports drawn HSNet's way.</summary>
    ClassLevel,
    /// <summary>Instance-level episodes: per object (sequence), the first K images are the examples, every other one a query.</summary>
    InstanceLevel,
}
