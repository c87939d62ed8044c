using Exemplar.Torch;

namespace Exemplar.Vision.Tests.Metrics;

/// <summary>Builds small label maps from text rows for metric tests.</summary>
internal static class Masks
{
    /// <summary>A [H, W] int64 tensor from rows of whitespace-separated integers.</summary>
    internal static Tensor Parse(params string[] rows)
    {
        var values = rows.Select(r => r.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray()).ToArray();
        int width = values[0].Length;
        if (values.Any(r => r.Length != width)) throw new ArgumentException("ragged rows");
        return Tensor.From(values.SelectMany(r => r).ToArray(), values.Length, width);
    }

    /// <summary>An [H, W] uint8 mask with 1 in rows [top, bottom) and columns [left, right).</summary>
    internal static Tensor Box(int height, int width, int top, int left, int bottom, int right)
    {
        var data = new byte[height * width];
        for (int y = top; y < bottom; y++)
        {
            for (int x = left; x < right; x++) data[y * width + x] = 1;
        }
        return Tensor.From(data, height, width);
    }
}
