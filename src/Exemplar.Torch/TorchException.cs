namespace Exemplar.Torch;

/// <summary>
/// An error reported by libtorch (for example a shape mismatch), carrying ATen's own message, or a misuse of the
/// tensor API detected before calling into it.
/// </summary>
public sealed class TorchException : Exception
{
    /// <summary>Creates the exception with ATen's message.</summary>
    public TorchException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public TorchException(string message, Exception inner) : base(message, inner)
    {
    }
}
