using System.Buffers.Binary;

namespace Exemplar.Torch.Serialization;

/// <summary>
/// Loads a state dict from either checkpoint format, told apart by the file's first bytes (never by its name): a
/// safetensors file (an 8-byte header length, then a JSON header starting with <c>{</c>) or a <c>torch.save</c> zip
/// (<c>PK\x03\x04</c>).
/// </summary>
public static class Checkpoints
{
    /// <summary>
    /// The tensors of <paramref name="path"/> by name (CPU tensors that belong to the current
    /// <see cref="DisposeScope"/>, or to the caller without one). With <paramref name="entry"/>, only those under it,
    /// named relative to it: the sub-dict <c>entry</c> of a torch.save checkpoint (see
    /// <see cref="TorchCheckpoint.LoadStateDict"/>), or the safetensors tensors named <c>entry.*</c>.
    /// </summary>
    /// <exception cref="CheckpointFormatException">
    /// The file is neither format, is damaged, or holds nothing under <paramref name="entry"/> (the message names the file).
    /// </exception>
    public static Dictionary<string, Tensor> LoadStateDict(string path, string? entry = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Detect(path) switch
        {
            CheckpointKind.SafeTensors => LoadSafeTensors(path, entry),
            CheckpointKind.TorchZip => TorchCheckpoint.LoadStateDict(path, entry),
            CheckpointKind.LegacyTorch => throw new CheckpointFormatException(path, TorchCheckpoint.LegacyFormatProblem),
            _ => throw new CheckpointFormatException(path, "neither a safetensors file nor a torch.save zip checkpoint (judged by its first bytes)"),
        };
    }

    private enum CheckpointKind
    {
        Unknown,
        SafeTensors,
        TorchZip,
        LegacyTorch,
    }

    private static CheckpointKind Detect(string path)
    {
        Span<byte> head = stackalloc byte[9];
        using (var file = File.OpenRead(path))
        {
            head = head[..file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
        }
        if (head.Length >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4) return CheckpointKind.TorchZip;
        if (head.Length == 9 && BinaryPrimitives.ReadInt64LittleEndian(head) > 0 && head[8] == (byte)'{') return CheckpointKind.SafeTensors;
        return TorchCheckpoint.IsLegacyFormat(head) ? CheckpointKind.LegacyTorch : CheckpointKind.Unknown;
    }

    private static Dictionary<string, Tensor> LoadSafeTensors(string path, string? entry)
    {
        using var file = SafeTensorsFile.Open(path);
        if (entry is null) return file.LoadAll();
        string prefix = entry + ".";
        var names = file.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (names.Count == 0) throw new CheckpointFormatException(path, $"no tensors named '{prefix}*'");
        return file.LoadMany(names, strip: prefix.Length);
    }
}
