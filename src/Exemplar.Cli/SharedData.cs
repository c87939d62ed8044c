namespace Exemplar.Cli;

/// <summary>The shared data folder the suite and the benchmarks read: EXEMPLAR_SHARED, else ../shared of the working directory.</summary>
internal static class SharedData
{
    private static string Configured =>
        Environment.GetEnvironmentVariable("EXEMPLAR_SHARED") is { Length: > 0 } s ? s : Path.Combine(Directory.GetCurrentDirectory(), "..", "shared");

    /// <summary>The folder.</summary>
    /// <exception cref="DirectoryNotFoundException">It is absent (the message says how to set it).</exception>
    public static string Root() =>
        Directory.Exists(Configured) ? Path.GetFullPath(Configured) : throw new DirectoryNotFoundException($"{Configured}: no shared folder (set EXEMPLAR_SHARED)");

    /// <summary>A file or folder under it, or null when it (or the shared folder) is absent.</summary>
    public static string? Find(string relative)
    {
        string path = Path.GetFullPath(Path.Combine(Configured, relative));
        return Path.Exists(path) ? path : null;
    }
}
