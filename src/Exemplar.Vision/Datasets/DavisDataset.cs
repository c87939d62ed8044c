using Exemplar.Torch;
using Exemplar.Vision.Masks;

namespace Exemplar.Vision.Datasets;

/// <summary>How DAVIS annotations are read.</summary>
public enum DavisMasks
{
    /// <summary>DAVIS-2016: one object per sequence, gray 0/255 (≥ 128 is the object, label 1).</summary>
    Binary,
    /// <summary>DAVIS-2017: palette PNGs whose indices are object ids (0 background, 1.. objects, 255 void → ignore).</summary>
    ObjectIds,
}

/// <summary>Options of <see cref="DavisDataset"/>.</summary>
public sealed record DavisOptions
{
    /// <summary>The resolution folder under <c>JPEGImages</c> and <c>Annotations</c> (default "480p").</summary>
    public string Resolution { get; init; } = "480p";

    /// <summary>The sequences to load, in this order; default: every sequence folder, sorted by name.</summary>
    public IReadOnlyList<string>? Sequences { get; init; }

    /// <summary>The annotation encoding (default: DAVIS-2016 binary masks).</summary>
    public DavisMasks Masks { get; init; } = DavisMasks.Binary;
}

/// <summary>
/// DAVIS video object segmentation (Perazzi et al., CVPR 2016; Pont-Tuset et al., 2017): frames
/// <c>JPEGImages/480p/&lt;sequence&gt;/00000.jpg</c> with masks <c>Annotations/480p/&lt;sequence&gt;/00000.png</c>.
/// Items are the frames of each sequence in frame order; <see cref="DatasetItem.Category"/> is the sequence name.
/// </summary>
public sealed class DavisDataset : SegmentationDatasetBase
{
    private static readonly DatasetClass[] BinaryClasses = [new(0, "background"), new(1, "object")];

    private readonly Dictionary<string, int[]> _frames;

    /// <summary>Opens the DAVIS folder <paramref name="root"/> (holding <c>JPEGImages</c> and <c>Annotations</c>).</summary>
    /// <exception cref="DatasetLayoutException">A folder, a listed sequence or a frame's mask is missing, or there are no frames.</exception>
    public DavisDataset(string root, DavisOptions? options = null) : this(List(root, options ?? new DavisOptions()))
    {
    }

    private DavisDataset(Listing listing)
        : base($"DAVIS ({listing.Options.Resolution}, {listing.Sequences.Length} sequences)", listing.Root, ClassesFor(listing.Options.Masks), listing.Items)
    {
        Options = listing.Options;
        Sequences = listing.Sequences;
        _frames = listing.Sequences.ToDictionary(
            s => s,
            s => Enumerable.Range(0, listing.Items.Length).Where(i => listing.Items[i].Category == s).ToArray(),
            StringComparer.Ordinal);
    }

    private sealed record Listing(string Root, DavisOptions Options, DatasetItem[] Items, string[] Sequences);

    /// <summary>The options the data set was opened with.</summary>
    public DavisOptions Options { get; }

    /// <summary>The sequences, in item order.</summary>
    public IReadOnlyList<string> Sequences { get; }

    /// <summary>The item indices of a sequence's frames, in frame order.</summary>
    /// <exception cref="KeyNotFoundException">No such sequence was loaded.</exception>
    public IReadOnlyList<int> FramesOf(string sequence) =>
        _frames.TryGetValue(sequence, out var frames) ? frames : throw new KeyNotFoundException($"DAVIS: sequence '{sequence}' is not in {Name}");

    /// <inheritdoc/>
    protected override Tensor LoadLabels(int index, DatasetItem item) => Options.Masks == DavisMasks.Binary
        ? DatasetMasks.Binary(item.MaskPath!)
        : DatasetMasks.Decode(item.MaskPath!, MaskEncodings.Voc, IgnoreLabel);

    private static DatasetClass[] ClassesFor(DavisMasks masks) => masks == DavisMasks.Binary
        ? BinaryClasses
        : [new(0, "background"), .. Enumerable.Range(1, 254).Select(i => new DatasetClass(i, $"object {i}"))];

    private static Listing List(string root, DavisOptions options)
    {
        root = DatasetFiles.RequireRoot(root, "DAVIS");
        string frames = DatasetFiles.RequireFolder(Path.Combine(root, "JPEGImages", options.Resolution), "JPEGImages/<resolution>/<sequence>/*.jpg");
        string annotations = DatasetFiles.RequireFolder(Path.Combine(root, "Annotations", options.Resolution), "Annotations/<resolution>/<sequence>/*.png");
        string[] sequences = options.Sequences?.ToArray() ?? DatasetFiles.Folders(frames).Select(d => Path.GetFileName(d)!).ToArray();
        var items = new List<DatasetItem>();
        foreach (string sequence in sequences)
        {
            string frameFolder = DatasetFiles.RequireFolder(Path.Combine(frames, sequence), $"the frames of sequence '{sequence}'");
            string maskFolder = DatasetFiles.RequireFolder(Path.Combine(annotations, sequence), $"the annotations of sequence '{sequence}'");
            foreach (string frame in DatasetFiles.List(frameFolder, [".jpg", ".jpeg"]))
            {
                string stem = Path.GetFileNameWithoutExtension(frame);
                string mask = DatasetFiles.Partner(maskFolder, stem, [".png"], frame, "annotation");
                items.Add(new DatasetItem(DatasetFiles.IdOf(frames, frame), frame, mask) { Category = sequence });
            }
        }
        return new Listing(root, options, [.. items], sequences);
    }
}
