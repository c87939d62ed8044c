using System.Text;

namespace Exemplar.Torch.IO;

/// <summary>
/// The one way Exemplar writes output files: the content goes to a temporary file in the same folder, is flushed to
/// disk, and is then renamed onto the final name. A crash or a failed write therefore never leaves a truncated file
/// under the final name (at worst a hidden <c>.name.*.tmp</c> file after a kill), and a symbolic link at the final
/// name is replaced by the new file, never written through (its target, if any, is untouched; a dangling link does not
/// create one).
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes the file at <paramref name="path"/> with what <paramref name="write"/> puts in the stream it is given.
    /// If <paramref name="write"/> throws, nothing is left behind and an existing file keeps its old content.
    /// </summary>
    /// <exception cref="IOException">
    /// Something (a file, or a link, even a dangling one) exists at <paramref name="path"/> and <paramref name="overwrite"/> is false.
    /// </exception>
    public static void Write(string path, Action<Stream> write, bool overwrite = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        if (!overwrite && Exists(full)) throw AlreadyExists(path, null);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            try
            {
                // rename(2) (or, without overwrite, link(2) + unlink, which fails when the name exists) acts on the
                // directory entry: a link at the final name is replaced, not followed.
                File.Move(temp, full, overwrite);
            }
            catch (IOException e) when (!overwrite && Exists(full))
            {
                throw AlreadyExists(path, e);
            }
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> (see <see cref="Write"/>).</summary>
    /// <exception cref="IOException">Something exists at <paramref name="path"/> and <paramref name="overwrite"/> is false.</exception>
    public static void WriteAllBytes(string path, byte[] bytes, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, s => s.Write(bytes), overwrite);
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark) to <paramref name="path"/> (see <see cref="Write"/>).</summary>
    /// <exception cref="IOException">Something exists at <paramref name="path"/> and <paramref name="overwrite"/> is false.</exception>
    public static void WriteAllText(string path, string text, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, Encoding.UTF8.GetBytes(text), overwrite);
    }

    /// <summary>
    /// Whether a directory entry of any kind (file, folder, link, dangling or not) has this name: what
    /// <see cref="Write"/> without overwrite refuses to replace.
    /// </summary>
    public static bool Exists(string path) => Path.Exists(path) || new FileInfo(path).LinkTarget is not null;

    private static IOException AlreadyExists(string path, Exception? inner) =>
        new($"{path} already exists; pass overwrite: true to replace it", inner);
}
