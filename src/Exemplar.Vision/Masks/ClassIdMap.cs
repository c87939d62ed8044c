using Exemplar.Torch;

namespace Exemplar.Vision.Masks;

/// <summary>What <see cref="ClassIdMap"/> does with a stored id that is neither a class, the background nor ignored.</summary>
public enum UnmappedIdPolicy
{
    /// <summary>Raise <see cref="UnmappedClassIdException"/> naming the file and the ids (the default: a wrong map is a bug).</summary>
    Error,
    /// <summary>Treat them as background.</summary>
    Background,
    /// <summary>Treat them as ignored (evidence for nothing).</summary>
    Ignore,
}

/// <summary>
/// Which stored ids of a class-id mask mean which class: id <c>ClassIds[c]</c> is class c, the
/// <paramref name="BackgroundIds"/> are background, the <paramref name="IgnoreIds"/> (and pixels the decoder already
/// marked ignored) are neither. For CamVid's <c>road</c>, <c>sky</c> and <c>car</c>: <c>new ClassIdMap([3, 0, 8], [], [11],
/// UnmappedIdPolicy.Background)</c>.
/// </summary>
/// <param name="ClassIds">The stored id of each class, in class order (distinct).</param>
/// <param name="BackgroundIds">Stored ids meaning background.</param>
/// <param name="IgnoreIds">Stored ids meaning "not labelled".</param>
/// <param name="Unmapped">What any other id means (default: an error).</param>
public sealed record ClassIdMap(IReadOnlyList<long> ClassIds, IReadOnlyList<long> BackgroundIds, IReadOnlyList<long> IgnoreIds, UnmappedIdPolicy Unmapped = UnmappedIdPolicy.Error)
{
    /// <summary>Class i has id i + 1, 0 is background and 255 ignored: the convention of PASCAL VOC-style masks.</summary>
    public static ClassIdMap Sequential(int classes) => new(Enumerable.Range(1, classes).Select(i => (long)i).ToArray(), [0], [255]);

    /// <summary>Checks that there is a class and no id has two roles.</summary>
    /// <exception cref="ArgumentException">What is wrong.</exception>
    public void Validate()
    {
        if (ClassIds.Count == 0) throw new ArgumentException("a class-id map needs at least one class");
        var roles = new Dictionary<long, string>();
        void Claim(long id, string role)
        {
            if (!roles.TryAdd(id, role)) throw new ArgumentException($"id {id} is given both as {roles[id]} and as {role}");
        }
        for (int c = 0; c < ClassIds.Count; c++) Claim(ClassIds[c], $"class {c + 1}");
        foreach (long id in BackgroundIds) Claim(id, "background");
        foreach (long id in IgnoreIds) Claim(id, "ignored");
    }

    /// <summary>
    /// Splits a decoded label map (its stored ids) into one mask per class, <c>[classes, H, W]</c> uint8 0/1, and the
    /// ignored pixels, <c>[H, W]</c> bool. The caller owns both.
    /// </summary>
    /// <exception cref="UnmappedClassIdException">Under <see cref="UnmappedIdPolicy.Error"/>, ids that have no role (named with the file).</exception>
    public (Tensor Masks, Tensor Ignore) Apply(LabelMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        Validate();
        var classOf = new Dictionary<long, int>();
        for (int c = 0; c < ClassIds.Count; c++) classOf[ClassIds[c]] = c;
        var background = BackgroundIds.ToHashSet();
        var ignoreIds = IgnoreIds.ToHashSet();
        var labels = map.Labels.ToArray<long>();
        var ignoredByDecoder = map.Ignore.ToArray<bool>();
        int n = labels.Length, classes = ClassIds.Count;
        var masks = new byte[classes * n];
        var ignore = new bool[n];
        var unmapped = new SortedSet<long>();
        for (int i = 0; i < n; i++)
        {
            long id = labels[i];
            if (ignoredByDecoder[i] || ignoreIds.Contains(id)) ignore[i] = true;
            else if (classOf.TryGetValue(id, out int c)) masks[c * n + i] = 1;
            else if (background.Contains(id)) continue;
            else if (Unmapped == UnmappedIdPolicy.Ignore) ignore[i] = true;
            else if (Unmapped == UnmappedIdPolicy.Error) unmapped.Add(id);
        }
        if (unmapped.Count > 0) throw new UnmappedClassIdException(map.Source, unmapped.ToArray(), this);
        var maskTensor = Tensor.From(masks, classes, map.Height, map.Width);
        try
        {
            return (maskTensor, Tensor.From(ignore, map.Height, map.Width));
        }
        catch
        {
            maskTensor.Dispose();
            throw;
        }
    }

    /// <summary>e.g. "classes 1, 2, 3; background 0; ignored 255".</summary>
    public override string ToString()
    {
        static string List(IReadOnlyList<long> ids) => ids.Count == 0 ? "none" : string.Join(", ", ids);
        return $"classes {List(ClassIds)}; background {List(BackgroundIds)}; ignored {List(IgnoreIds)}";
    }
}

/// <summary>A class-id mask holds ids that its <see cref="ClassIdMap"/> gives no role.</summary>
public sealed class UnmappedClassIdException : Exception
{
    /// <summary>Creates the exception; the message names the file, the ids and the map.</summary>
    public UnmappedClassIdException(string source, IReadOnlyList<long> ids, ClassIdMap map)
        : base($"{source}: the mask holds id(s) {string.Join(", ", ids)} that match no class ({map})")
    {
        FilePath = source;
        Ids = ids;
    }

    /// <summary>The mask file.</summary>
    public string FilePath { get; }

    /// <summary>The ids with no role, ascending.</summary>
    public IReadOnlyList<long> Ids { get; }
}
