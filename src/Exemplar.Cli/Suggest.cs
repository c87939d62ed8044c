namespace Exemplar.Cli;

/// <summary>"Did you mean …?" for mistyped names.</summary>
internal static class Suggest
{
    /// <summary>The candidate nearest to <paramref name="typed"/>, or null when none is close.</summary>
    public static string? Nearest(string typed, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            // A prefix either way (--overlays, --tar) counts as close whatever the lengths.
            int d = typed.StartsWith(candidate, StringComparison.OrdinalIgnoreCase) || candidate.StartsWith(typed, StringComparison.OrdinalIgnoreCase)
                ? Math.Abs(candidate.Length - typed.Length) / 4
                : Distance(typed.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (d < bestDistance) (best, bestDistance) = (candidate, d);
        }
        return bestDistance <= Math.Max(2, typed.Length / 3) ? best : null;
    }

    /// <summary>" (did you mean X?)", or "" when nothing is close.</summary>
    public static string DidYouMean(string typed, IEnumerable<string> candidates) =>
        Nearest(typed, candidates) is { } n ? $" (did you mean {n}?)" : "";

    /// <summary>Levenshtein distance.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
