using Exemplar.Torch;
using Exemplar.Vision.IO;

namespace Exemplar.Vision.Masks;

/// <summary>A pixel rectangle: columns <c>X .. X + Width - 1</c>, rows <c>Y .. Y + Height - 1</c>.</summary>
/// <param name="X">Leftmost column.</param>
/// <param name="Y">Top row.</param>
/// <param name="Width">Columns covered.</param>
/// <param name="Height">Rows covered.</param>
public readonly record struct PixelBox(int X, int Y, int Width, int Height);

/// <summary>One connected region of a binary mask.</summary>
/// <param name="Area">Its pixels.</param>
/// <param name="Box">Its bounding box.</param>
public sealed record MaskComponent(long Area, PixelBox Box);

/// <summary>The connected regions (8-connected: diagonal neighbours touch) of binary masks.</summary>
public static class ConnectedComponents
{
    /// <summary>
    /// The regions of <paramref name="mask"/> (<c>[H, W]</c> or <c>[1, H, W]</c>, bool or integer; non-zero is inside),
    /// largest first (ties: the one whose first pixel comes first in row-major order).
    /// </summary>
    public static IReadOnlyList<MaskComponent> Find(Tensor mask)
    {
        var (channels, height, width) = ImageTensors.ShapeOf(mask, nameof(mask));
        if (channels != 1) throw new ArgumentException($"a mask has one channel, this one has {channels}", nameof(mask));
        if (mask.DType.IsFloatingPoint()) throw new ArgumentException($"a mask is bool or integer, not {mask.DType}", nameof(mask));
        using var inside = mask.Ne(0);
        var pixels = inside.ToArray<bool>();
        var seen = new bool[pixels.Length];
        var found = new List<MaskComponent>();
        var stack = new Stack<int>();
        for (int start = 0; start < pixels.Length; start++)
        {
            if (!pixels[start] || seen[start]) continue;
            seen[start] = true;
            stack.Push(start);
            long area = 0;
            int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
            while (stack.Count > 0)
            {
                int i = stack.Pop();
                int x = i % width, y = i / width;
                area++;
                (minX, maxX, minY, maxY) = (Math.Min(minX, x), Math.Max(maxX, x), Math.Min(minY, y), Math.Max(maxY, y));
                for (int dy = -1; dy <= 1; dy++)
                {
                    int ny = y + dy;
                    if (ny < 0 || ny >= height) continue;
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx;
                        if (nx < 0 || nx >= width) continue;
                        int j = ny * width + nx;
                        if (pixels[j] && !seen[j])
                        {
                            seen[j] = true;
                            stack.Push(j);
                        }
                    }
                }
            }
            found.Add(new MaskComponent(area, new PixelBox(minX, minY, maxX - minX + 1, maxY - minY + 1)));
        }
        // A stable sort keeps discovery (row-major) order among equal areas.
        return found.OrderByDescending(c => c.Area).ToList();
    }
}
