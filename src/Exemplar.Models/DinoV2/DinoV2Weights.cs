using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Exemplar.Torch.Serialization;

namespace Exemplar.Models.DinoV2;

/// <summary>
/// Loads DINOv2 checkpoints: the official <c>dinov2_vit*14[_reg4]_pretrain.pth</c> files (flat, block-chunked, or
/// nested in a training checkpoint) and Hugging Face <c>facebook/dinov2-*</c> safetensors or <c>.bin</c> files. The
/// container is told by the file's first bytes, whatever its name (<see cref="Checkpoints.LoadStateDict"/>), the naming
/// by the keys (<see cref="DinoV2CheckpointConverter"/>). Loading is strict by default: every parameter must be present
/// with its shape, and nothing else.
/// </summary>
/// <example><code>
/// using var model = DinoV2Weights.Load("dinov2_vitb14_reg4_pretrain.pth", DinoV2Variant.ViTB14Reg4);
/// </code></example>
public static class DinoV2Weights
{
    /// <summary>Builds a released variant and loads <paramref name="path"/> into it.</summary>
    /// <param name="path">The checkpoint.</param>
    /// <param name="variant">Which model the checkpoint holds.</param>
    /// <param name="strict">Require every key and shape to match (otherwise load what matches).</param>
    /// <param name="entry">
    /// The sub-dictionary holding the weights (<c>"model"</c> for <c>{"model": state_dict, ...}</c>), or the key prefix
    /// in a safetensors file (<c>"weights"</c> for <c>weights.*</c>). Without it, one wrapping level that every key shares
    /// (e.g. <c>model.</c>) is removed.
    /// </param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CheckpointFormatException">The file is unreadable, or holds a key DINOv2 does not have (the message names both).</exception>
    /// <exception cref="StateDictException">Strict loading found missing, unexpected or wrongly shaped tensors (listed, with the file).</exception>
    public static DinoVisionTransformer Load(string path, DinoV2Variant variant, bool strict = true, string? entry = null) =>
        Load(path, DinoV2Options.For(variant), strict, entry);

    /// <summary>Builds a model with <paramref name="options"/> and loads <paramref name="path"/> into it (see the other overload).</summary>
    public static DinoVisionTransformer Load(string path, DinoV2Options options, bool strict = true, string? entry = null)
    {
        // Strict loading overwrites every parameter, so drawing an initialisation would be wasted; a lenient load may
        // leave some untouched, and those must hold the official initialisation rather than arbitrary memory.
        var model = new DinoVisionTransformer(options, initializeWeights: !strict);
        try
        {
            LoadInto(model, path, strict, entry);
            model.Eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Loads <paramref name="path"/> into an existing model (converting dtype and device); returns what matched.</summary>
    public static StateDictLoadResult LoadInto(DinoVisionTransformer model, string path, bool strict = true, string? entry = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = DisposeScope.Begin();
        return LoadInto(model, ReadCheckpoint(path, entry), path, strict);
    }

    /// <summary>
    /// Loads an in-memory checkpoint of either naming (<paramref name="source"/> names it in errors) into
    /// <paramref name="model"/>. The tensors stay the caller's.
    /// </summary>
    public static StateDictLoadResult LoadInto(DinoVisionTransformer model, IReadOnlyDictionary<string, Tensor> state, string source, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = DisposeScope.Begin();
        var converted = DinoV2CheckpointConverter.ToModelNames(state, source);
        try
        {
            return model.LoadStateDict(converted, strict);
        }
        catch (StateDictException e)
        {
            var o = model.Options;
            throw new StateDictException($"{source} → DINOv2 (D {o.EmbedDim}, depth {o.Depth}, {o.Ffn}, {o.RegisterTokens} registers)", e.Result);
        }
    }

    /// <summary>
    /// The tensors of a checkpoint file with their names as stored (after selecting <paramref name="entry"/> or removing
    /// a shared wrapping level, see <see cref="Load(string, DinoV2Variant, bool, string?)"/>). They belong to the current
    /// <see cref="DisposeScope"/>, or to the caller without one.
    /// </summary>
    public static Dictionary<string, Tensor> ReadCheckpoint(string path, string? entry = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such DINOv2 checkpoint", path);
        var state = Checkpoints.LoadStateDict(path, entry);
        if (state.Count == 0) throw new CheckpointFormatException(path, entry is null ? "holds no tensors" : $"holds no tensors under '{entry}'");
        return entry is null ? Unwrap(state) : state;
    }

    /// <summary>Removes a first name segment that every key shares and that is no DINOv2 name (a <c>{"model": ...}</c> wrapper).</summary>
    private static Dictionary<string, Tensor> Unwrap(Dictionary<string, Tensor> state)
    {
        while (true)
        {
            string first = state.Keys.First();
            int dot = first.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0 || DinoV2CheckpointConverter.IsKnownRoot(first)) return state;
            string prefix = first[..(dot + 1)];
            if (!state.Keys.All(k => k.StartsWith(prefix, StringComparison.Ordinal))) return state;
            state = state.ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
        }
    }
}
