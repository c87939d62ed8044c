using SkiaSharp;

namespace Exemplar.Runtime.Tests;

/// <summary>The repository's samples/ (PerSeg cat and duck toy) and ground-truth helpers.</summary>
internal static class Samples
{
    public static string PathOf(string name) => Path.Combine(SharedFolder.RepositoryRoot, "samples", "perseg", name);

    /// <summary>The ground-truth mask of a sample as a bool map (any non-black pixel).</summary>
    public static bool[] Truth(string name)
    {
        using var bitmap = SKBitmap.Decode(PathOf(name)).Copy(SKColorType.Rgba8888);
        var pixels = bitmap.Pixels;
        return [.. pixels.Select(p => p.Red != 0 || p.Green != 0 || p.Blue != 0)];
    }

    public static double IoU(bool[] a, bool[] b)
    {
        int inter = 0, union = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] && b[i]) inter++;
            if (a[i] || b[i]) union++;
        }
        return union == 0 ? 1 : (double)inter / union;
    }
}
