namespace Exemplar.Torch.Serialization;

/// <summary>A checkpoint file (safetensors or PyTorch zip/pickle) that is malformed, truncated or unsupported.</summary>
public sealed class CheckpointFormatException : Exception
{
    /// <summary>Creates the exception; the message names the file and the problem.</summary>
    public CheckpointFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file that could not be read.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
