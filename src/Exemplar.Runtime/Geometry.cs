namespace Exemplar.Runtime;

/// <summary>
/// Resize-longest-side-and-pad geometry, the same arithmetic as Exemplar.Vision's <c>ResizePadGeometry</c> (floor
/// rounding): the image is scaled by S / max(H, W) and padded at the bottom and right to S x S.
/// </summary>
internal sealed record Geometry(int Height, int Width, int ResizedHeight, int ResizedWidth, int Size)
{
    public static Geometry For(int height, int width, int size)
    {
        long longest = Math.Max(height, width);
        int Scaled(int side) => (int)Math.Clamp((long)side * size / longest, 1, size);
        return new Geometry(height, width, Scaled(height), Scaled(width), size);
    }

    /// <summary>
    /// The sampling scale for the image graph's Resize: S / max(H, W), nudged up by one part in a million so that
    /// float32 rounding of H · s never drops below the exact resized size (the graph then crops to it).
    /// </summary>
    public float SampleScale => (float)((double)Size / Math.Max(Height, Width) * (1 + 1e-6));

    /// <summary>
    /// Adds the mask (any non-black pixel = in), resized with nearest-neighbour sampling at pixel centres, into
    /// <paramref name="destination"/> [S, S] (zero-initialised, padding left 0): pixels in become 1, others keep their
    /// value, so several masks of one class are united. Returns whether any pixel is in.
    /// </summary>
    public bool ResizeMask(DecodedImage mask, Span<float> destination)
    {
        var rows = NearestIndices(Height, ResizedHeight);
        var cols = NearestIndices(Width, ResizedWidth);
        bool any = false;
        for (int y = 0; y < ResizedHeight; y++)
        {
            var source = mask.Rgba.AsSpan(rows[y] * Width * 4, Width * 4);
            var row = destination.Slice(y * Size, ResizedWidth);
            for (int x = 0; x < ResizedWidth; x++)
            {
                int p = cols[x] * 4;
                bool inside = source[p] != 0 || source[p + 1] != 0 || source[p + 2] != 0;
                if (!inside) continue;
                row[x] = 1;
                any = true;
            }
        }
        return any;
    }

    /// <summary>Output index d reads input floor((d + 0.5) · in / out), in exact integer arithmetic (PyTorch's nearest-exact).</summary>
    private static int[] NearestIndices(int inSize, int outSize)
    {
        var index = new int[outSize];
        for (long d = 0; d < outSize; d++) index[d] = (int)((2 * d + 1) * inSize / (2L * outSize));
        return index;
    }
}
