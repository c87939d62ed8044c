namespace Exemplar.Vision.Masks.Coco;

/// <summary>
/// pycocotools' compressed RLE counts: each count (from the fourth on, as a difference with the count two places
/// before) is written as little-endian groups of 5 bits in characters '0' + value, bit 0x20 meaning "more groups
/// follow" and bit 0x10 of the last group giving the sign.
/// </summary>
internal static class CocoRleString
{
    internal static string Encode(IReadOnlyList<long> counts)
    {
        var text = new System.Text.StringBuilder(counts.Count * 2);
        for (int i = 0; i < counts.Count; i++)
        {
            long x = counts[i];
            if (i > 2) x -= counts[i - 2]; // pycocotools starts the differences at the fourth count
            bool more = true;
            while (more)
            {
                int c = (int)(x & 0x1F);
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) c |= 0x20;
                text.Append((char)(c + 48));
            }
        }
        return text.ToString();
    }

    internal static long[] Decode(string text)
    {
        var counts = new List<long>();
        int p = 0;
        while (p < text.Length)
        {
            long x = 0;
            int shift = 0;
            bool more = true;
            while (more)
            {
                if (p >= text.Length) throw new FormatException("compressed RLE counts end in the middle of a number");
                int c = text[p] - 48;
                if (c is < 0 or > 63) throw new FormatException($"compressed RLE counts hold an invalid character '{text[p]}' at {p}");
                if (shift > 55) throw new FormatException($"compressed RLE counts hold a number too long at {p}");
                x |= (long)(c & 0x1F) << shift;
                more = (c & 0x20) != 0;
                p++;
                shift += 5;
                if (!more && (c & 0x10) != 0) x |= -1L << shift; // negative: sign-extend
            }
            if (counts.Count > 2) x += counts[^2];
            counts.Add(x);
        }
        return [.. counts];
    }
}
