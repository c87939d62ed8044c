namespace Exemplar.Vision.Masks.Coco;

/// <summary>
/// Rasterises COCO polygons the way pycocotools' <c>rleFrPoly</c> does, so masks and areas match the reference
/// tools pixel for pixel: the vertices are scaled by 5 and rounded, the outline is traced densely (one point per
/// step of the longer axis), and wherever the outline crosses the centre line of a pixel column the column's fill
/// state toggles from the first pixel centre below the crossing. Sorting the toggles (column-major positions) gives
/// the RLE directly; coinciding toggles cancel.
/// </summary>
public static class CocoPolygon
{
    private const double Scale = 5;

    /// <summary>
    /// The RLE of one polygon, <paramref name="xy"/> = [x0, y0, x1, y1, …] in pixel coordinates (pixel (0, 0) covers
    /// [0, 1) × [0, 1)), in an image of <paramref name="height"/> × <paramref name="width"/>. Parts outside the image
    /// are clipped.
    /// </summary>
    public static CocoRle ToRle(ReadOnlySpan<double> xy, int height, int width)
    {
        if (xy.Length % 2 != 0) throw new FormatException($"a polygon has an even number of coordinates, not {xy.Length}");
        if (height < 1 || width < 1) throw new ArgumentException($"cannot rasterise into a {height}x{width} image");
        foreach (double coordinate in xy)
        {
            if (!double.IsFinite(coordinate)) throw new FormatException($"polygon coordinate {coordinate} is not a finite number");
        }
        var (u, v) = TraceOutline(xy);
        var toggles = ColumnToggles(u, v, height, width);
        return new CocoRle(height, width, RunsFromToggles(toggles, (long)height * width));
    }

    /// <summary>The union of several polygons of one object (pycocotools merges them the same way).</summary>
    public static CocoRle ToRle(IEnumerable<double[]> polygons, int height, int width) =>
        CocoRle.Union(polygons.Select(p => ToRle(p, height, width)).ToList());

    /// <summary>Dense outline points, in scaled integer coordinates, from each vertex to the next (closing the polygon).</summary>
    private static (List<int> U, List<int> V) TraceOutline(ReadOnlySpan<double> xy)
    {
        int k = xy.Length / 2;
        var x = new int[k + 1];
        var y = new int[k + 1];
        for (int j = 0; j < k; j++)
        {
            // C's (int) cast truncates towards zero, as C# does.
            x[j] = (int)(Scale * xy[2 * j] + 0.5);
            y[j] = (int)(Scale * xy[2 * j + 1] + 0.5);
        }
        if (k > 0)
        {
            x[k] = x[0];
            y[k] = y[0];
        }
        var u = new List<int>();
        var v = new List<int>();
        for (int j = 0; j < k; j++)
        {
            int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
            int dx = Math.Abs(xe - xs), dy = Math.Abs(ye - ys);
            if (dx == 0 && dy == 0)
            {
                // A repeated vertex: one point, which adds no column crossing.
                u.Add(xs);
                v.Add(ys);
                continue;
            }
            // Step along the longer axis, always from the smaller coordinate, but list the points from start to end.
            bool alongX = dx >= dy;
            bool flip = alongX ? xs > xe : ys > ye;
            if (flip) (xs, xe, ys, ye) = (xe, xs, ye, ys);
            int steps = alongX ? dx : dy;
            double slope = alongX ? (double)(ye - ys) / dx : (double)(xe - xs) / dy;
            for (int d = 0; d <= steps; d++)
            {
                int t = flip ? steps - d : d;
                if (alongX)
                {
                    u.Add(t + xs);
                    v.Add((int)(ys + slope * t + 0.5));
                }
                else
                {
                    v.Add(t + ys);
                    u.Add((int)(xs + slope * t + 0.5));
                }
            }
        }
        return (u, v);
    }

    /// <summary>
    /// Column-major positions (column × height + row) where the fill state toggles: one per crossing of a column's
    /// centre line, at the first pixel centre at or below the crossing (clipped to 0..height).
    /// </summary>
    private static List<long> ColumnToggles(List<int> u, List<int> v, int height, int width)
    {
        var toggles = new List<long>();
        for (int j = 1; j < u.Count; j++)
        {
            if (u[j] == u[j - 1]) continue;
            double xd = Math.Min(u[j], u[j - 1]);
            xd = (xd + 0.5) / Scale - 0.5;
            if (Math.Floor(xd) != xd || xd < 0 || xd > width - 1) continue;
            double yd = Math.Min(v[j], v[j - 1]);
            yd = (yd + 0.5) / Scale - 0.5;
            yd = Math.Ceiling(Math.Clamp(yd, 0, height));
            toggles.Add((long)xd * height + (long)yd);
        }
        return toggles;
    }

    /// <summary>Run lengths from sorted toggle positions, ending at <paramref name="total"/>; a toggle repeated cancels its twin.</summary>
    private static List<long> RunsFromToggles(List<long> toggles, long total)
    {
        toggles.Sort();
        toggles.Add(total);
        var gaps = new long[toggles.Count];
        long previous = 0;
        for (int i = 0; i < gaps.Length; i++)
        {
            gaps[i] = toggles[i] - previous;
            previous = toggles[i];
        }
        var runs = new List<long> { gaps[0] };
        for (int i = 1; i < gaps.Length; i++)
        {
            if (gaps[i] > 0)
            {
                runs.Add(gaps[i]);
            }
            else if (++i < gaps.Length)
            {
                runs[^1] += gaps[i]; // two toggles at one place: the run before continues
            }
        }
        return runs;
    }
}
