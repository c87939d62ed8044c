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
        var kind = WeightFile.Sniff(path);
        return kind switch
        {
            WeightFileKind.SafeTensors => LoadSafeTensors(path, entry),
            WeightFileKind.TorchZip => TorchCheckpoint.LoadStateDict(path, entry),
            WeightFileKind.LegacyTorch => throw new CheckpointFormatException(path, TorchCheckpoint.LegacyFormatProblem),
            WeightFileKind.Unknown => throw new CheckpointFormatException(path, "neither a safetensors file nor a torch.save zip checkpoint (judged by its first bytes)"),
            _ => throw new CheckpointFormatException(path, $"this is {kind.Describe()}, not a safetensors file or a torch.save zip checkpoint (judged by its first bytes)"),
        };
    }

    /// <summary>
    /// Loads the state dict of <paramref name="path"/> into <paramref name="model"/> strictly: every name and shape
    /// must match (checked before anything is copied), and nothing more may be there.
    /// </summary>
    /// <exception cref="CheckpointFormatException">The file is unreadable, or its tensors do not fit <paramref name="model"/> (the message names the file, <paramref name="what"/> and lists what differs).</exception>
    public static void LoadInto(Nn.Module model, string path, string? what = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var state = LoadStateDict(path);
        try
        {
            model.LoadStateDict(state);
        }
        catch (Nn.StateDictException e)
        {
            throw new CheckpointFormatException(path, $"its weights do not fit {what ?? model.GetType().Name}:{Environment.NewLine}{e.Result}", e);
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
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
