namespace Exemplar.Models.Onnx;

/// <summary>
/// An ONNX file that cannot be used: malformed or truncated protobuf, an unsupported tensor encoding, or a graph that
/// is not the network the caller expects. The message names the file and the first problem found.
/// </summary>
public sealed class OnnxFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The file (or other named source) that was read.</param>
    /// <param name="problem">What is wrong, without the file name.</param>
    public OnnxFormatException(string filePath, string problem) : base($"{filePath}: {problem}")
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The file (or other named source) that was read.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }
}
