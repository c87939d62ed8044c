namespace Exemplar.Vision.IO;

/// <summary>Writes finished bytes to a file, refusing to replace an existing one unless asked.</summary>
internal static class FileOutput
{
    internal static void Write(string path, byte[] bytes, bool overwrite)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileStream stream;
        try
        {
            // CreateNew makes the existence check and the creation one atomic step.
            stream = new FileStream(path, overwrite ? FileMode.Create : FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
        catch (IOException e) when (!overwrite && File.Exists(path))
        {
            throw new IOException($"{path} already exists; pass overwrite: true to replace it", e);
        }
        using (stream)
        {
            stream.Write(bytes);
        }
    }
}
