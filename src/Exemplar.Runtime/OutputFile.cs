namespace Exemplar.Runtime;

/// <summary>
/// How the runtime writes files (prompts, masks, overlays), as Exemplar.Torch's <c>AtomicFile</c> does (the runtime
/// depends on no other Exemplar project): a temporary file in the same folder, flushed, then renamed onto the name —
/// never a truncated file under the final name, and a link there is replaced rather than written through.
/// </summary>
internal static class OutputFile
{
    /// <summary>Writes <paramref name="path"/> with what <paramref name="write"/> puts in the stream.</summary>
    /// <exception cref="IOException">Something (even a dangling link) is at <paramref name="path"/> and <paramref name="overwrite"/> is false.</exception>
    public static void Write(string path, Action<Stream> write, bool overwrite)
    {
        string full = Path.GetFullPath(path);
        if (!overwrite && (Path.Exists(full) || new FileInfo(full).LinkTarget is not null)) throw new IOException($"{path} exists; pass overwrite: true to replace it");
        string temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
