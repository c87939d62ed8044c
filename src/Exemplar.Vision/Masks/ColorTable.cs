using Exemplar.Vision.IO;

namespace Exemplar.Vision.Masks;

/// <summary>A colour → class id table for colour-coded masks (alpha is not compared).</summary>
public sealed class ColorTable
{
    private readonly Dictionary<int, long> _ids = [];
    private readonly (Rgba32 Color, long Id)[] _entries;

    /// <summary>A table of the given entries; a colour may appear once.</summary>
    public ColorTable(IEnumerable<(Rgba32 Color, long Id)> entries)
    {
        _entries = entries.ToArray();
        if (_entries.Length == 0) throw new ArgumentException("a colour table needs at least one colour", nameof(entries));
        foreach (var (color, id) in _entries)
        {
            if (!_ids.TryAdd(Key(color), id)) throw new ArgumentException($"colour {color with { A = 255 }} is listed twice", nameof(entries));
        }
    }

    /// <summary>The entries, in the order given.</summary>
    public IReadOnlyList<(Rgba32 Color, long Id)> Entries => _entries;

    /// <summary>Colour i of <paramref name="palette"/> mapped to id i, for its first <paramref name="count"/> entries (all by default).</summary>
    public static ColorTable FromPalette(ImagePalette palette, int? count = null) =>
        new(palette.Colors.Take(count ?? palette.Count).Select((c, i) => (c, (long)i)));

    /// <summary>The id of an exact colour, or null.</summary>
    public long? Find(byte r, byte g, byte b) => _ids.TryGetValue(r << 16 | g << 8 | b, out long id) ? id : null;

    /// <summary>The id of the listed colour nearest to (r, g, b) in squared RGB distance (the first listed wins ties).</summary>
    public long Nearest(byte r, byte g, byte b)
    {
        long best = _entries[0].Id;
        int bestDistance = int.MaxValue;
        foreach (var (c, id) in _entries)
        {
            int dr = c.R - r, dg = c.G - g, db = c.B - b, d = dr * dr + dg * dg + db * db;
            if (d < bestDistance) (best, bestDistance) = (id, d);
        }
        return best;
    }

    private static int Key(Rgba32 c) => c.R << 16 | c.G << 8 | c.B;
}
