using System.Diagnostics;
using Exemplar.Torch;

namespace Exemplar.Vision.IO;

/// <summary>Decoding throughput of a set of files.</summary>
/// <param name="Files">Files measured.</param>
/// <param name="Decodes">Decodes timed (files × repeats).</param>
/// <param name="Megapixels">Megapixels decoded in the timed decodes.</param>
/// <param name="Seconds">Wall-clock seconds of the timed decodes.</param>
public sealed record DecodeSpeed(int Files, int Decodes, double Megapixels, double Seconds)
{
    /// <summary>Megapixels decoded per second.</summary>
    public double MegapixelsPerSecond => Megapixels / Seconds;

    /// <summary>Milliseconds per decode.</summary>
    public double MillisecondsPerDecode => Seconds * 1000 / Decodes;
}

/// <summary>
/// Measures <see cref="ImageReader"/> from encoded bytes to a <c>[C, H, W]</c> tensor (files are read into memory first,
/// so the disk is not measured), on the calling thread. For the <c>exemplar bench</c> command and ad-hoc checks.
/// </summary>
public static class DecodeBenchmark
{
    /// <summary>Decodes every file twice to warm up (the JIT's optimised code), then <paramref name="repeats"/> more times under a stopwatch.</summary>
    public static DecodeSpeed Measure(IReadOnlyList<string> files, ImageReadOptions? options = null, int repeats = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        if (files.Count == 0) throw new ArgumentException("no files to measure", nameof(files));
        var encoded = files.Select(f => (Path: f, Bytes: File.ReadAllBytes(f))).ToList();
        for (int warm = 0; warm < 2; warm++)
        {
            foreach (var (path, bytes) in encoded) DecodeOnce(bytes, path, options);
        }
        double pixels = 0;
        long start = Stopwatch.GetTimestamp();
        for (int r = 0; r < repeats; r++)
        {
            foreach (var (path, bytes) in encoded) pixels += DecodeOnce(bytes, path, options);
        }
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new DecodeSpeed(files.Count, files.Count * repeats, pixels / 1e6, seconds);
    }

    private static long DecodeOnce(byte[] bytes, string path, ImageReadOptions? options)
    {
        using var image = ImageReader.Decode(bytes, path, options);
        return (long)image.Height * image.Width;
    }
}
