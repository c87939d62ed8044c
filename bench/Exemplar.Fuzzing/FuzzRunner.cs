using System.Diagnostics;

namespace Exemplar.Fuzzing;

/// <summary>A well-formed file the mutants are made from.</summary>
/// <param name="Name">A short name with the file's extension (e.g. <c>palette2.png</c>), used in case names and temporary file names.</param>
/// <param name="Bytes">The file's content.</param>
public sealed record FuzzSeed(string Name, byte[] Bytes);

/// <summary>What a fuzz run found.</summary>
/// <param name="Cases">Mutants tried.</param>
/// <param name="Accepted">Mutants the loader accepted (the mutation left a readable file).</param>
/// <param name="Rejected">Mutants refused with a clean error that names the file.</param>
/// <param name="Failures">Everything else: other exception types, errors not naming the file, loader complaints (at most <see cref="FuzzRunner.MaxFailures"/>).</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="MaxCaseAllocatedBytes">The most managed memory one case allocated.</param>
/// <param name="MaxCaseName">That case.</param>
/// <param name="PeakWorkingSetBytes">The process's largest working set seen after a case (native memory included).</param>
public sealed record FuzzReport(int Cases, int Accepted, int Rejected, IReadOnlyList<string> Failures, TimeSpan Elapsed,
    long MaxCaseAllocatedBytes, string MaxCaseName, long PeakWorkingSetBytes);

/// <summary>
/// Feeds seeded mutants of <see cref="FuzzSeed"/>s to a loader, in-process, one at a time, and sorts the outcomes: the
/// loader may accept a mutant or refuse it with an exception that <c>isRejection</c> accepts and whose message names
/// the source; anything else is a failure. Deterministic for a given random seed.
/// </summary>
/// <param name="load">
/// Loads one mutant: its bytes and its source, a path in the run's folder that names it in errors (write the bytes
/// there first for loaders that read files; it is deleted after each case). Throws to refuse it.
/// </param>
/// <param name="isRejection">Whether an exception is a clean refusal (e.g. the format exception type of the loader).</param>
public sealed class FuzzRunner(Action<byte[], string> load, Func<Exception, bool> isRejection)
{
    private volatile string _current = "";

    /// <summary>Failures after which a run stops.</summary>
    public int MaxFailures { get; init; } = 20;

    /// <summary>The case running now (to say where a run hung).</summary>
    public string Current => _current;

    /// <summary>
    /// Runs <paramref name="casesPerSeed"/> mutants of each seed, temporary files under <paramref name="folder"/>;
    /// raises <see cref="TimeoutException"/> naming the case when the run takes longer than <paramref name="timeout"/>.
    /// </summary>
    public FuzzReport Run(IReadOnlyList<FuzzSeed> seeds, int casesPerSeed, int randomSeed, string folder, TimeSpan timeout)
    {
        var work = Task.Run(() => Run(seeds, casesPerSeed, randomSeed, folder));
        if (!work.Wait(timeout)) throw new TimeoutException($"the loader hung (or crawled) on {Current}");
        return work.Result;
    }

    /// <summary>Runs <paramref name="casesPerSeed"/> mutants of each seed, temporary files under <paramref name="folder"/>.</summary>
    public FuzzReport Run(IReadOnlyList<FuzzSeed> seeds, int casesPerSeed, int randomSeed, string folder)
    {
        var random = new Random(randomSeed);
        int cases = 0, accepted = 0, rejected = 0;
        var failures = new List<string>();
        long maxAllocated = 0, peak = 0;
        string maxName = "";
        long start = Stopwatch.GetTimestamp();
        foreach (var seed in seeds)
        {
            string source = Path.Combine(folder, "mutant-" + seed.Name);
            for (int i = 0; i < casesPerSeed && failures.Count < MaxFailures; i++)
            {
                var (mutant, how) = Mutator.Mutate(seed.Bytes, random);
                string name = $"{seed.Name} #{i} ({how})";
                _current = name;
                cases++;
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    load(mutant, source);
                    accepted++;
                }
                catch (Exception e) when (isRejection(e))
                {
                    if (e.Message.Contains(source, StringComparison.Ordinal)) rejected++;
                    else failures.Add($"{name}: the message does not name the file: {e.Message}");
                }
                catch (Exception e)
                {
                    failures.Add($"{name}: {e.GetType().Name}: {e.Message}");
                }
                finally
                {
                    if (File.Exists(source)) File.Delete(source);
                }
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                if (allocated > maxAllocated) (maxAllocated, maxName) = (allocated, name);
                peak = Math.Max(peak, Environment.WorkingSet);
            }
        }
        return new FuzzReport(cases, accepted, rejected, failures, Stopwatch.GetElapsedTime(start), maxAllocated, maxName, peak);
    }
}
