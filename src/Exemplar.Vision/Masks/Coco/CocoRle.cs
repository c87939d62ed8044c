using Exemplar.Torch;

namespace Exemplar.Vision.Masks.Coco;

/// <summary>
/// A binary mask run-length encoded as COCO does: pixels in column-major order (down each column, then the next
/// column), counts alternating between runs of 0 and runs of 1, starting with 0 (so a mask whose first pixel is set
/// starts with a count of 0). Immutable.
/// </summary>
public sealed class CocoRle
{
    private readonly long[] _counts;

    /// <summary>An RLE of a <paramref name="height"/> × <paramref name="width"/> mask.</summary>
    /// <exception cref="FormatException">A count is negative, or the counts do not add up to height × width.</exception>
    public CocoRle(int height, int width, IReadOnlyList<long> counts)
    {
        if (height < 0 || width < 0) throw new FormatException($"an RLE mask cannot be {height}x{width}");
        _counts = counts.ToArray();
        long total = 0;
        foreach (long c in _counts)
        {
            if (c < 0) throw new FormatException($"RLE count {c} is negative");
            total += c;
        }
        if (total != (long)height * width)
        {
            throw new FormatException($"RLE counts add up to {total} but the mask has {height}x{width} = {(long)height * width} pixels");
        }
        Height = height;
        Width = width;
    }

    /// <summary>Mask height.</summary>
    public int Height { get; }

    /// <summary>Mask width.</summary>
    public int Width { get; }

    /// <summary>The run lengths, alternating 0-runs and 1-runs, starting with a 0-run.</summary>
    public IReadOnlyList<long> Counts => _counts;

    /// <summary>Number of set pixels (pycocotools' <c>area</c>).</summary>
    public long Area
    {
        get
        {
            long area = 0;
            for (int i = 1; i < _counts.Length; i += 2) area += _counts[i];
            return area;
        }
    }

    /// <summary>Decodes a compressed counts string (pycocotools' <c>rleToString</c> format, as in COCO JSON <c>"counts": "…"</c>).</summary>
    public static CocoRle FromCompressedString(string counts, int height, int width) => new(height, width, CocoRleString.Decode(counts));

    /// <summary>The compressed counts string of this RLE, byte-for-byte what pycocotools writes.</summary>
    public string ToCompressedString() => CocoRleString.Encode(_counts);

    /// <summary>The RLE of <paramref name="mask"/>, <c>[H, W]</c> of any type: non-zero pixels are set.</summary>
    public static CocoRle Encode(Tensor mask)
    {
        var shape = mask.Shape;
        if (shape.Length != 2) throw new ArgumentException($"a mask is [H, W], not [{string.Join(", ", shape)}]", nameof(mask));
        using var nonZero = mask.Ne(0);
        using var columnMajor = nonZero.MT;
        return FromColumnMajor(columnMajor.ToArray<bool>(), (int)shape[0], (int)shape[1]);
    }

    /// <summary>The mask, <c>[H, W]</c> uint8 0/1.</summary>
    public Tensor Decode()
    {
        var rowMajor = new byte[(long)Height * Width];
        long position = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            if (i % 2 == 1)
            {
                for (long p = position; p < position + _counts[i]; p++) rowMajor[p % Height * Width + p / Height] = 1;
            }
            position += _counts[i];
        }
        return Tensor.From(rowMajor, Height, Width);
    }

    /// <summary>The union of masks of one size (pycocotools' <c>merge</c> with <c>intersect=False</c>).</summary>
    public static CocoRle Union(IReadOnlyList<CocoRle> masks)
    {
        if (masks.Count == 0) throw new ArgumentException("nothing to merge", nameof(masks));
        int height = masks[0].Height, width = masks[0].Width;
        var set = new bool[(long)height * width];
        foreach (var rle in masks)
        {
            if (rle.Height != height || rle.Width != width)
            {
                throw new ArgumentException($"cannot merge a {rle.Height}x{rle.Width} RLE with a {height}x{width} one", nameof(masks));
            }
            rle.Paint(set);
        }
        return FromColumnMajor(set, height, width);
    }

    /// <summary>Sets, in a column-major buffer, the pixels this RLE covers.</summary>
    internal void Paint(bool[] columnMajor)
    {
        long position = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            if (i % 2 == 1) columnMajor.AsSpan((int)position, (int)_counts[i]).Fill(true);
            position += _counts[i];
        }
    }

    internal static CocoRle FromColumnMajor(ReadOnlySpan<bool> set, int height, int width)
    {
        var counts = new List<long>();
        bool current = false;
        long run = 0;
        foreach (bool b in set)
        {
            if (b != current)
            {
                counts.Add(run);
                run = 0;
                current = b;
            }
            run++;
        }
        counts.Add(run);
        return new CocoRle(height, width, counts);
    }
}
