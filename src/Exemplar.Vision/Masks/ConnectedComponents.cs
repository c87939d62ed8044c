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

/// <summary>One connected region of a binary mask with statistics of a score map over its pixels.</summary>
/// <param name="Area">Its pixels.</param>
/// <param name="Box">Its bounding box.</param>
/// <param name="MeanScore">The mean of the score map over its pixels.</param>
/// <param name="MaxScore">The largest score over its pixels.</param>
public sealed record ScoredMaskComponent(long Area, PixelBox Box, double MeanScore, double MaxScore);

/// <summary>The connected regions (8-connected: diagonal neighbours touch) of binary masks.</summary>
public static class ConnectedComponents
{
    /// <summary>
    /// The regions of <paramref name="mask"/> (<c>[H, W]</c> or <c>[1, H, W]</c>, bool or integer; non-zero is inside),
    /// largest first (ties: the one whose first pixel comes first in row-major order).
    /// </summary>
    public static IReadOnlyList<MaskComponent> Find(Tensor mask)
    {
        var (pixels, width, height) = Pixels(mask);
        return Label(pixels, width, height, null).Select(r => new MaskComponent(r.Area, r.Box)).ToList();
    }

    /// <summary>
    /// The regions of <paramref name="mask"/> (as in <see cref="Find"/>) with the mean and maximum of
    /// <paramref name="scores"/> (a float map of the same <c>[H, W]</c> or <c>[1, H, W]</c> size, e.g. a class's
    /// probabilities) over each region's pixels, largest first.
    /// </summary>
    /// <exception cref="ArgumentException">The score map is not floating point or not the mask's size.</exception>
    public static IReadOnlyList<ScoredMaskComponent> FindScored(Tensor mask, Tensor scores)
    {
        var (pixels, width, height) = Pixels(mask);
        var (channels, h, w) = ImageTensors.ShapeOf(scores, nameof(scores));
        if (channels != 1 || h != height || w != width)
        {
            throw new ArgumentException($"the score map is [{string.Join(", ", scores.Shape)}] but the mask is {width}x{height} (width x height)", nameof(scores));
        }
        if (!scores.DType.IsFloatingPoint()) throw new ArgumentException($"a score map is floating point, not {scores.DType}", nameof(scores));
        using var asFloat = scores.To(DType.Float32);
        using var flat = asFloat.Contiguous();
        var values = flat.ToArray<float>();
        return Label(pixels, width, height, values).Select(r => new ScoredMaskComponent(r.Area, r.Box, r.Sum / r.Area, r.Max)).ToList();
    }

    private static (bool[] Pixels, int Width, int Height) Pixels(Tensor mask)
    {
        var (channels, height, width) = ImageTensors.ShapeOf(mask, nameof(mask));
        if (channels != 1) throw new ArgumentException($"a mask has one channel, this one has {channels}", nameof(mask));
        if (mask.DType.IsFloatingPoint()) throw new ArgumentException($"a mask is bool or integer, not {mask.DType}", nameof(mask));
        using var inside = mask.Ne(0);
        using var contiguous = inside.Contiguous();
        return (contiguous.ToArray<bool>(), width, height);
    }

    private readonly record struct Region(long Area, PixelBox Box, double Sum, double Max);

    /// <summary>The one flood fill: every 8-connected region of <paramref name="pixels"/>, with score sums when <paramref name="scores"/> is given.</summary>
    private static List<Region> Label(bool[] pixels, int width, int height, float[]? scores)
    {
        var seen = new bool[pixels.Length];
        var found = new List<Region>();
        var stack = new Stack<int>();
        for (int start = 0; start < pixels.Length; start++)
        {
            if (!pixels[start] || seen[start]) continue;
            seen[start] = true;
            stack.Push(start);
            long area = 0;
            double sum = 0, max = double.NegativeInfinity;
            int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
            while (stack.Count > 0)
            {
                int i = stack.Pop();
                int x = i % width, y = i / width;
                area++;
                if (scores is not null)
                {
                    sum += scores[i];
                    max = Math.Max(max, scores[i]);
                }
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
            found.Add(new Region(area, new PixelBox(minX, minY, maxX - minX + 1, maxY - minY + 1), sum, max));
        }
        // A stable sort keeps discovery (row-major) order among equal areas.
        return found.OrderByDescending(c => c.Area).ToList();
    }
}
