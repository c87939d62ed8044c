namespace Exemplar.Runtime;

/// <summary>Connected regions of a label map (8-connected, per class), with boxes, scores and COCO run-length encodings.</summary>
internal static class ConnectedObjects
{
    public static IReadOnlyList<SegmentedObject> Find(SegmentResult result, int minArea)
    {
        int w = result.Width, h = result.Height;
        var labels = result.Labels;
        var component = new int[labels.Length];
        var objects = new List<SegmentedObject>();
        var stack = new Stack<int>();
        var pixels = new List<int>();
        int next = 0;
        for (int start = 0; start < labels.Length; start++)
        {
            if (labels[start] == 0 || component[start] != 0) continue;
            int label = labels[start];
            component[start] = ++next;
            stack.Push(start);
            pixels.Clear();
            while (stack.Count > 0)
            {
                int p = stack.Pop();
                pixels.Add(p);
                int px = p % w, py = p / w;
                for (int dy = -1; dy <= 1; dy++)
                {
                    int y = py + dy;
                    if (y < 0 || y >= h) continue;
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int x = px + dx;
                        if (x < 0 || x >= w) continue;
                        int q = y * w + x;
                        if (labels[q] == label && component[q] == 0)
                        {
                            component[q] = next;
                            stack.Push(q);
                        }
                    }
                }
            }
            if (pixels.Count < minArea) continue;
            int classIndex = label - 1;
            var scores = result.Scores(classIndex);
            int x0 = w, y0 = h, x1 = -1, y1 = -1;
            double sum = 0;
            foreach (int p in pixels)
            {
                int x = p % w, y = p / w;
                (x0, y0, x1, y1) = (Math.Min(x0, x), Math.Min(y0, y), Math.Max(x1, x), Math.Max(y1, y));
                sum += scores[p];
            }
            objects.Add(new SegmentedObject(result.Classes[classIndex], classIndex, (float)(sum / pixels.Count),
                new Box(x0, y0, x1 - x0 + 1, y1 - y0 + 1), pixels.Count, Rle(component, next, w, h, x0, x1), Outline(component, next, w, h, start)));
        }
        objects.Sort((a, b) => b.Area.CompareTo(a.Area));
        return objects;
    }

    /// <summary>
    /// The outer boundary of component <paramref name="id"/> as a polygon along pixel edges (corner coordinates, flat
    /// x0, y0, x1, y1, …; a vertex at each turn), traced with the region on the right-hand side from the top-left
    /// corner of its first pixel in raster order <paramref name="start"/>. Pixels joined only at a corner stay in one
    /// outline (8-connectivity); holes are not traced (the RLE is exact).
    /// </summary>
    private static double[] Outline(int[] component, int id, int w, int h, int start)
    {
        bool Inside(int x, int y) => x >= 0 && y >= 0 && x < w && y < h && component[y * w + x] == id;
        // Directions right, down, left, up (image y grows downwards); the pixels ahead-left and ahead-right of a corner.
        int[] dx = [1, 0, -1, 0], dy = [0, 1, 0, -1];
        (int X, int Y) AheadLeft(int cx, int cy, int d) => d switch { 0 => (cx, cy - 1), 1 => (cx, cy), 2 => (cx - 1, cy), _ => (cx - 1, cy - 1) };
        (int X, int Y) AheadRight(int cx, int cy, int d) => d switch { 0 => (cx, cy), 1 => (cx - 1, cy), 2 => (cx - 1, cy - 1), _ => (cx, cy - 1) };
        int sx = start % w, sy = start / w, x = sx, y = sy, dir = 0;
        var points = new List<double>();
        int previous = -1;
        do
        {
            var (lx, ly) = AheadLeft(x, y, dir);
            var (rx, ry) = AheadRight(x, y, dir);
            int next = Inside(lx, ly) ? (dir + 3) % 4 : Inside(rx, ry) ? dir : (dir + 1) % 4;
            if (next != previous)
            {
                points.Add(x);
                points.Add(y);
            }
            previous = dir = next;
            x += dx[dir];
            y += dy[dir];
        }
        while (x != sx || y != sy);
        return [.. points];
    }

    /// <summary>
    /// COCO uncompressed RLE: alternating run lengths of out/in pixels in column-major order, starting with "out".
    /// Only the object's columns <paramref name="x0"/>..<paramref name="x1"/> are scanned (the runs before and after are
    /// background), so many small objects cost their boxes, not the image each.
    /// </summary>
    private static int[] Rle(int[] component, int id, int w, int h, int x0, int x1)
    {
        var counts = new List<int>();
        bool inside = false;
        int run = x0 * h;
        for (int x = x0; x <= x1; x++)
        {
            for (int y = 0; y < h; y++)
            {
                bool here = component[y * w + x] == id;
                if (here != inside)
                {
                    counts.Add(run);
                    run = 0;
                    inside = here;
                }
                run++;
            }
        }
        counts.Add(run + (w - 1 - x1) * h);
        return [.. counts];
    }
}
