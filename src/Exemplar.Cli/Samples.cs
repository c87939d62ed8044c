namespace Exemplar.Cli;

/// <summary>The repository's samples/perseg photos, found above the working directory or the program.</summary>
internal static class Samples
{
    /// <summary>A sample file's path.</summary>
    /// <exception cref="FileNotFoundException">No samples/perseg folder above either (the message says so).</exception>
    public static string PathOf(string name)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string path = Path.Combine(dir.FullName, "samples", "perseg", name);
                if (File.Exists(path)) return path;
            }
        }
        throw new FileNotFoundException($"samples/perseg/{name}: not found above {Directory.GetCurrentDirectory()}; give the file explicitly", name);
    }
}
