namespace Exemplar.Vision;

/// <summary>
/// An image or mask file that cannot be read: corrupt, truncated, of an unsupported kind, too large for the configured
/// limit, or disagreeing with what the caller expects of it. The message always names the file and the problem.
/// </summary>
public sealed class ImageFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="source"/> (a path, or a name for in-memory data).</summary>
    public ImageFormatException(string source, string problem, Exception? inner = null)
        : base($"{source}: {problem}", inner)
    {
        FilePath = source;
        Problem = problem;
    }

    /// <summary>The file (or name given to in-memory data) that could not be read.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }
}
