using System.Runtime.InteropServices;
using Exemplar.Runtime;
using SkiaSharp;

namespace Exemplar.Web;

/// <summary>Label maps as gray PNG bytes, in memory (no temporary file per response).</summary>
internal static class MaskPng
{
    /// <summary>
    /// The mask: with <paramref name="binary"/> and one class 0/255 (as <see cref="SegmentResult.SaveMask"/> writes it),
    /// otherwise the label ids 0, 1, 2, … (what the page reads back).
    /// </summary>
    public static byte[] Encode(SegmentResult result, bool binary)
    {
        byte[] gray = result.Labels;
        if (binary && result.Classes.Count == 1)
        {
            gray = new byte[gray.Length];
            System.Numerics.Tensors.TensorPrimitives.Multiply(result.Labels, (byte)255, gray);
        }
        using var bitmap = new SKBitmap(new SKImageInfo(result.Width, result.Height, SKColorType.Gray8, SKAlphaType.Opaque));
        nint pixels = bitmap.GetPixels();
        for (int y = 0; y < result.Height; y++) Marshal.Copy(gray, y * result.Width, pixels + y * bitmap.RowBytes, result.Width);
        using var pixmap = bitmap.PeekPixels();
        // zlib level 3: masks are mostly runs, so a higher level buys little size for milliseconds per request.
        using var data = pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, 3)) ?? throw new InvalidOperationException("PNG encoding failed");
        return data.ToArray();
    }
}
