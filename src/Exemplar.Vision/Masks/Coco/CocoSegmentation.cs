using System.Text.Json;
using Exemplar.Torch;

namespace Exemplar.Vision.Masks.Coco;

/// <summary>
/// Turns the <c>"segmentation"</c> of a COCO annotation into a mask, for all three forms found in COCO files:
/// a list of polygons <c>[[x0, y0, x1, y1, …], …]</c>, an uncompressed RLE <c>{"counts": [n0, n1, …], "size": [h, w]}</c>
/// (crowd regions) and a compressed RLE <c>{"counts": "…", "size": [h, w]}</c> (pycocotools' string form).
/// </summary>
public static class CocoSegmentation
{
    /// <summary>The RLE of <paramref name="segmentation"/> in an image of <paramref name="height"/> × <paramref name="width"/>.</summary>
    /// <exception cref="FormatException">The JSON is none of the three forms, or its RLE size disagrees with the image.</exception>
    public static CocoRle ToRle(JsonElement segmentation, int height, int width)
    {
        switch (segmentation.ValueKind)
        {
            case JsonValueKind.Array:
                var polygons = new List<double[]>();
                foreach (var polygon in segmentation.EnumerateArray())
                {
                    if (polygon.ValueKind != JsonValueKind.Array) throw new FormatException($"a polygon is an array of numbers, not {polygon.ValueKind}");
                    polygons.Add(polygon.EnumerateArray().Select(Number).ToArray());
                }
                if (polygons.Count == 0) return new CocoRle(height, width, [(long)height * width]);
                return CocoPolygon.ToRle(polygons, height, width);
            case JsonValueKind.Object:
                return FromRleObject(segmentation, height, width);
            default:
                throw new FormatException($"a COCO segmentation is a list of polygons or an RLE object, not {segmentation.ValueKind}");
        }
    }

    /// <summary>The mask of <paramref name="segmentation"/>, <c>[H, W]</c> uint8 0/1.</summary>
    public static Tensor ToMask(JsonElement segmentation, int height, int width) => ToRle(segmentation, height, width).Decode();

    private static CocoRle FromRleObject(JsonElement rle, int height, int width)
    {
        if (!rle.TryGetProperty("counts", out var counts) || !rle.TryGetProperty("size", out var size))
        {
            throw new FormatException("an RLE segmentation needs \"counts\" and \"size\"");
        }
        var hw = size.ValueKind == JsonValueKind.Array ? size.EnumerateArray().Select(Number).ToArray() : [];
        if (hw.Length != 2) throw new FormatException("an RLE \"size\" is [height, width]");
        if (hw[0] != height || hw[1] != width)
        {
            throw new FormatException($"the RLE is {hw[0]}x{hw[1]} (height x width) but the image is {height}x{width}");
        }
        return counts.ValueKind switch
        {
            JsonValueKind.String => CocoRle.FromCompressedString(counts.GetString()!, height, width),
            JsonValueKind.Array => new CocoRle(height, width, counts.EnumerateArray().Select(c => (long)Number(c)).ToArray()),
            _ => throw new FormatException($"RLE \"counts\" are a string or a list of numbers, not {counts.ValueKind}"),
        };
    }

    private static double Number(JsonElement e) =>
        e.ValueKind == JsonValueKind.Number ? e.GetDouble() : throw new FormatException($"expected a number, found {e.ValueKind}");
}
