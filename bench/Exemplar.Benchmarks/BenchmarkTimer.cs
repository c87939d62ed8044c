using System.Diagnostics;

namespace Exemplar.Benchmarks;

/// <summary>Times a call the way bench/python/*.py does: warm-up, then the median over timed batches.</summary>
public static class BenchmarkTimer
{
    /// <summary>Median milliseconds per call of <paramref name="body"/>.</summary>
    /// <param name="body">The work; it must free what it allocates.</param>
    /// <param name="synchronize">Waits for queued device work (CUDA) before a clock is read.</param>
    /// <param name="warmup">Untimed calls first.</param>
    /// <param name="repeats">Timed batches.</param>
    /// <param name="iterations">Calls per batch.</param>
    public static double MedianMilliseconds(Action body, Action synchronize, int warmup, int repeats, int iterations)
    {
        for (int i = 0; i < warmup; i++) body();
        synchronize();
        var samples = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < iterations; i++) body();
            synchronize();
            samples[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds / iterations;
        }
        Array.Sort(samples);
        return repeats % 2 == 1 ? samples[repeats / 2] : (samples[repeats / 2 - 1] + samples[repeats / 2]) / 2;
    }
}
