namespace Exemplar.Vision.Datasets;

/// <summary>
/// A data set folder that does not have the expected layout: a missing folder or partner file, no items at all, an
/// unreadable index or meta file. The message names the path and says what was expected.
/// </summary>
public sealed class DatasetLayoutException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public DatasetLayoutException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The file or folder at fault.</summary>
    public string Path { get; }

    /// <summary>What is wrong, without the path.</summary>
    public string Problem { get; }
}
