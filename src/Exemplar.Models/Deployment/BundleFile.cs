using System.IO.Compression;
using System.Text.Json;
using Exemplar.Torch.IO;

namespace Exemplar.Models.Deployment;

/// <summary>Writes an <c>.exemplar</c> bundle: a zip of <c>manifest.json</c> and one ONNX file per graph role, replaced atomically.</summary>
public static class BundleFile
{
    /// <summary>Writes <paramref name="graphs"/> under the names <paramref name="manifest"/> gives them, with the manifest.</summary>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public static void Write(string path, BundleManifest manifest, IReadOnlyDictionary<string, byte[]> graphs, bool overwrite)
    {
        if (!overwrite && AtomicFile.Exists(path)) throw new IOException($"{path} exists; pass --force to replace it");
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using (var entry = zip.CreateEntry("manifest.json", CompressionLevel.Optimal).Open())
            {
                JsonSerializer.Serialize(entry, manifest, new JsonSerializerOptions { WriteIndented = true });
            }
            foreach (var (role, bytes) in graphs)
            {
                using var entry = zip.CreateEntry(manifest.Graphs[role], CompressionLevel.Optimal).Open();
                entry.Write(bytes);
            }
        }, overwrite: true);
    }

    /// <summary>16 hex digits of SHA-256 over the graphs of <paramref name="roles"/> and <paramref name="extra"/>: what identifies a bundle's arithmetic.</summary>
    public static string Fingerprint(IReadOnlyDictionary<string, byte[]> graphs, IEnumerable<string> roles, string extra)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var role in roles) hash.AppendData(graphs[role]);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(extra));
        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }
}
