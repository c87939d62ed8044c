using System.Numerics;
using System.Runtime.InteropServices;

namespace Exemplar.Vision.Metrics;

/// <summary>
/// Boundary extraction and tolerance matching for the DAVIS boundary measure, on row-major bool masks [H, W].
/// Written from the DAVIS definition (davis2017-evaluation's <c>_seg2bmap</c> and <c>f_measure</c>).
/// </summary>
internal static class BoundaryMaps
{
    /// <summary>
    /// DAVIS's <c>seg2bmap</c>: a pixel is on the boundary when it differs from its right (E), lower (S) or lower-right
    /// (SE) neighbour. On the last row only E is compared, on the last column only S, and the bottom-right pixel is
    /// never a boundary.
    /// </summary>
    internal static bool[] Extract(ReadOnlySpan<bool> mask, int height, int width)
    {
        var boundary = new bool[mask.Length];
        // bools are stored as bytes 0 / 1, so "differs" is XOR and "or" is OR, a vector at a time.
        var m = MemoryMarshal.Cast<bool, byte>(mask);
        var b = MemoryMarshal.Cast<bool, byte>(boundary.AsSpan());
        int n = width - 1, lanes = Vector<byte>.Count;
        for (int y = 0; y < height - 1; y++)
        {
            var here = m.Slice(y * width, width);
            var below = m.Slice((y + 1) * width, width);
            var row = b.Slice(y * width, width);
            int x = 0;
            for (; x <= n - lanes; x += lanes)
            {
                var h = new Vector<byte>(here[x..]);
                var differs = (h ^ new Vector<byte>(here[(x + 1)..])) | (h ^ new Vector<byte>(below[x..])) | (h ^ new Vector<byte>(below[(x + 1)..]));
                differs.CopyTo(row[x..]);
            }
            for (; x < n; x++)
            {
                int h = here[x];
                row[x] = (byte)((h ^ here[x + 1]) | (h ^ below[x]) | (h ^ below[x + 1]));
            }
            row[n] = (byte)(here[n] ^ below[n]);
        }
        var last = m.Slice((height - 1) * width, width);
        var lastRow = b.Slice((height - 1) * width, width);
        for (int x = 0; x < n; x++) lastRow[x] = (byte)(last[x] ^ last[x + 1]);
        lastRow[n] = 0;
        return boundary;
    }

    /// <summary>
    /// How many set pixels of <paramref name="from"/> lie within a disk of radius <paramref name="radius"/> (offsets
    /// dx² + dy² ≤ r², as <c>skimage.morphology.disk</c>) of a set pixel of <paramref name="to"/> — i.e.
    /// Σ(from · dilate(to, disk(r))) — without building the dilated map: for every row the horizontal distance to the
    /// nearest <paramref name="to"/> pixel is precomputed (O(H·W)), so each <paramref name="from"/> pixel needs at most
    /// 2r + 1 look-ups: is the distance in row y + dy at most ⌊√(r² − dy²)⌋?
    /// </summary>
    internal static long CountMatched(ReadOnlySpan<bool> from, ReadOnlySpan<bool> to, int height, int width, int radius)
    {
        var (distance, rowHasAny) = RowDistances(to, height, width, radius + 1);
        var halfWidth = new int[radius + 1];
        long r2 = (long)radius * radius;
        for (int dy = 0; dy <= radius; dy++)
        {
            int m = (int)Math.Sqrt(r2 - (long)dy * dy);
            while ((long)(m + 1) * (m + 1) + (long)dy * dy <= r2) m++;   // guard the square root's rounding
            while (m > 0 && (long)m * m + (long)dy * dy > r2) m--;
            halfWidth[dy] = m;
        }
        long matched = 0;
        for (int y = 0; y < height; y++)
        {
            var row = from.Slice(y * width, width);
            for (int x = row.IndexOf(true); x >= 0; x = NextSet(row, x + 1))
            {
                for (int dy = 0; dy <= radius; dy++)
                {
                    int hw = halfWidth[dy];
                    int up = y - dy, down = y + dy;
                    if ((up >= 0 && rowHasAny[up] && distance[up * width + x] <= hw)
                        || (down < height && rowHasAny[down] && distance[down * width + x] <= hw))
                    {
                        matched++;
                        break;
                    }
                }
            }
        }
        return matched;
    }

    /// <summary>Number of set pixels.</summary>
    internal static long Count(ReadOnlySpan<bool> map) => map.Count(true);

    /// <summary>
    /// Per pixel, the horizontal distance to the nearest set pixel of its row, capped at <paramref name="cap"/>; rows
    /// with no set pixel are only flagged (their distances are left unset).
    /// </summary>
    private static (int[] Distance, bool[] RowHasAny) RowDistances(ReadOnlySpan<bool> map, int height, int width, int cap)
    {
        var distance = new int[map.Length];
        var rowHasAny = new bool[height];
        for (int y = 0; y < height; y++)
        {
            var row = map.Slice(y * width, width);
            if (!row.Contains(true)) continue;
            rowHasAny[y] = true;
            var d = distance.AsSpan(y * width, width);
            int run = cap;
            for (int x = 0; x < width; x++)
            {
                run = row[x] ? 0 : Math.Min(run + 1, cap);
                d[x] = run;
            }
            run = cap;
            for (int x = width - 1; x >= 0; x--)
            {
                run = row[x] ? 0 : Math.Min(run + 1, cap);
                if (run < d[x]) d[x] = run;
            }
        }
        return (distance, rowHasAny);
    }

    /// <summary>The first set index at or after <paramref name="start"/>, or −1.</summary>
    private static int NextSet(ReadOnlySpan<bool> row, int start)
    {
        if (start >= row.Length) return -1;
        int k = row[start..].IndexOf(true);
        return k < 0 ? -1 : start + k;
    }
}
