using Xunit;

namespace Exemplar.TestSupport;

/// <summary>
/// Locates ../shared (data, weights, fixtures): the EXEMPLAR_SHARED environment variable, else the folder named
/// "shared" beside the repository root.
/// </summary>
public static class SharedFolder
{
    /// <summary>The repository root (the folder with Directory.Build.props above the test binaries).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The shared folder, or null when it is absent.</summary>
    public static string? Root { get; } = Find();

    /// <summary>Path of a file under the shared folder (which must exist).</summary>
    public static string PathOf(string relative) =>
        Path.Combine(Root ?? throw new InvalidOperationException("../shared is absent"), relative);

    private static string? Find()
    {
        string? configured = Environment.GetEnvironmentVariable("EXEMPLAR_SHARED");
        if (!string.IsNullOrEmpty(configured)) return Directory.Exists(configured) ? configured : null;
        string candidate = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));
        return Directory.Exists(candidate) ? candidate : null;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Build.props")) && Directory.Exists(Path.Combine(dir.FullName, "native"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no repository root above {AppContext.BaseDirectory}");
    }
}

/// <summary>A fact that is skipped, with a visible reason, when the shared folder (or a file in it) is absent.</summary>
public sealed class SharedFactAttribute : FactAttribute
{
    /// <summary>Requires the shared files named (relative to the shared folder).</summary>
    public SharedFactAttribute(params string[] requiredFiles)
    {
        if (SharedFolder.Root is null)
        {
            Skip = "../shared is absent (set EXEMPLAR_SHARED): skipping a test that needs its fixtures";
            return;
        }
        var missing = requiredFiles.Where(f => !File.Exists(Path.Combine(SharedFolder.Root, f))).ToArray();
        if (missing.Length > 0) Skip = $"shared files missing: {string.Join(", ", missing)}";
    }
}
