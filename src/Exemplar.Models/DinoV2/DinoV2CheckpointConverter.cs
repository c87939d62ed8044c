using System.Globalization;
using System.Text.RegularExpressions;
using Exemplar.Torch;
using Exemplar.Torch.Serialization;

namespace Exemplar.Models.DinoV2;

/// <summary>How a DINOv2 checkpoint names its tensors.</summary>
public enum DinoV2CheckpointFormat
{
    /// <summary>
    /// facebookresearch/dinov2's <c>dinov2_vit*14[_reg4]_pretrain.pth</c> names (<c>blocks.N.attn.qkv.weight</c>), or
    /// the block-chunked layout of models built with <c>block_chunks &gt; 0</c> (<c>blocks.C.N.attn.qkv.weight</c>).
    /// </summary>
    Official,
    /// <summary>Hugging Face <c>facebook/dinov2-*</c> names (<c>encoder.layer.N.attention.attention.query.weight</c>).</summary>
    HuggingFace,
}

/// <summary>
/// Renames a DINOv2 checkpoint's tensors to <see cref="DinoVisionTransformer"/>'s (the official, unchunked names).
/// Every key must be one the format defines: an unknown key is an error naming the key and the file, never silently
/// dropped. The result shares the input's tensors; the tensors it creates (Hugging Face's q, k and v concatenated
/// into qkv) belong to the current <see cref="DisposeScope"/>.
/// </summary>
public static partial class DinoV2CheckpointConverter
{
    private static readonly HashSet<string> OfficialRoots = ["cls_token", "pos_embed", "register_tokens", "mask_token", "patch_embed", "blocks", "norm"];
    private static readonly HashSet<string> HuggingFaceRoots = ["embeddings", "encoder", "layernorm"];

    /// <summary>Whether <paramref name="name"/> starts like a DINOv2 checkpoint key of either format.</summary>
    public static bool IsKnownRoot(string name)
    {
        string root = name.Split('.')[0];
        return OfficialRoots.Contains(root) || HuggingFaceRoots.Contains(root);
    }

    /// <summary>The format of a checkpoint, from its keys: Hugging Face when any key starts as theirs do.</summary>
    public static DinoV2CheckpointFormat DetectFormat(IEnumerable<string> keys) =>
        keys.Any(k => HuggingFaceRoots.Contains(k.Split('.')[0])) ? DinoV2CheckpointFormat.HuggingFace : DinoV2CheckpointFormat.Official;

    /// <summary>Converts a checkpoint of either format (detected from its keys) read from <paramref name="source"/>.</summary>
    /// <exception cref="CheckpointFormatException">A key is unknown, or a renamed key collides (the message names the key and the file).</exception>
    public static Dictionary<string, Tensor> ToModelNames(IReadOnlyDictionary<string, Tensor> state, string source)
    {
        ArgumentNullException.ThrowIfNull(state);
        return DetectFormat(state.Keys) == DinoV2CheckpointFormat.HuggingFace ? FromHuggingFace(state, source) : FromOfficial(state, source);
    }

    /// <summary>Official names, chunked (<c>blocks.C.N.*</c> → <c>blocks.N.*</c>) or not; validates every key.</summary>
    public static Dictionary<string, Tensor> FromOfficial(IReadOnlyDictionary<string, Tensor> state, string source)
    {
        ArgumentNullException.ThrowIfNull(state);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, tensor) in state)
        {
            string name;
            if (OfficialTopLevel().IsMatch(key))
            {
                name = key;
            }
            else if (OfficialBlock().Match(key) is { Success: true } m)
            {
                // The chunk index only groups blocks for FSDP; the block index inside a chunk is already global.
                name = $"blocks.{m.Groups["block"].Value}.{m.Groups["rest"].Value}";
            }
            else
            {
                throw new CheckpointFormatException(source, $"unknown key '{key}': not a tensor of an official DINOv2 checkpoint");
            }
            Add(result, name, tensor, key, source);
        }
        return result;
    }

    /// <summary>Hugging Face names; each layer's query, key and value are concatenated (in that order) into qkv.</summary>
    public static Dictionary<string, Tensor> FromHuggingFace(IReadOnlyDictionary<string, Tensor> state, string source)
    {
        ArgumentNullException.ThrowIfNull(state);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var qkvParts = new Dictionary<string, Dictionary<string, (string Key, Tensor Tensor)>>(StringComparer.Ordinal);
        foreach (var (key, tensor) in state)
        {
            if (HuggingFaceQkv().Match(key) is { Success: true } qkv)
            {
                string target = $"blocks.{qkv.Groups["layer"].Value}.attn.qkv.{qkv.Groups["param"].Value}";
                if (!qkvParts.TryGetValue(target, out var parts)) qkvParts[target] = parts = [];
                parts[qkv.Groups["part"].Value] = (key, tensor);
                continue;
            }
            string name = RenameHuggingFace(key) ?? throw new CheckpointFormatException(source, $"unknown key '{key}': not a tensor of a Hugging Face DINOv2 checkpoint");
            Add(result, name, tensor, key, source);
        }
        foreach (var (target, parts) in qkvParts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            string[] order = ["query", "key", "value"];
            var missing = order.Where(p => !parts.ContainsKey(p)).ToArray();
            if (missing.Length > 0)
            {
                string present = parts.Values.First().Key;
                throw new CheckpointFormatException(source, $"'{present}' has no matching {string.Join(" and ", missing)} tensor: cannot build {target}");
            }
            Add(result, target, Tensor.Cat([.. order.Select(p => parts[p].Tensor)], 0), parts["query"].Key, source);
        }
        return result;
    }

    private static string? RenameHuggingFace(string key)
    {
        switch (key)
        {
            case "embeddings.cls_token": return "cls_token";
            case "embeddings.mask_token": return "mask_token";
            case "embeddings.position_embeddings": return "pos_embed";
            case "embeddings.register_tokens": return "register_tokens";
            case "embeddings.patch_embeddings.projection.weight": return "patch_embed.proj.weight";
            case "embeddings.patch_embeddings.projection.bias": return "patch_embed.proj.bias";
            case "layernorm.weight": return "norm.weight";
            case "layernorm.bias": return "norm.bias";
        }
        var m = HuggingFaceLayer().Match(key);
        if (!m.Success) return null;
        string layer = m.Groups["layer"].Value, rest = m.Groups["rest"].Value;
        string? renamed = rest switch
        {
            "layer_scale1.lambda1" => "ls1.gamma",
            "layer_scale2.lambda1" => "ls2.gamma",
            _ => HuggingFaceBlockParameter().Match(rest) is { Success: true } p ? p.Groups["module"].Value switch
            {
                "norm1" or "norm2" or "mlp.fc1" or "mlp.fc2" => rest,
                "attention.output.dense" => "attn.proj." + p.Groups["param"].Value,
                "mlp.weights_in" => "mlp.w12." + p.Groups["param"].Value,
                "mlp.weights_out" => "mlp.w3." + p.Groups["param"].Value,
                _ => null,
            } : null,
        };
        return renamed is null ? null : $"blocks.{int.Parse(layer, CultureInfo.InvariantCulture)}.{renamed}";
    }

    private static void Add(Dictionary<string, Tensor> result, string name, Tensor tensor, string key, string source)
    {
        if (!result.TryAdd(name, tensor)) throw new CheckpointFormatException(source, $"key '{key}' maps to '{name}', which another key already gave");
    }

    [GeneratedRegex(@"^(cls_token|pos_embed|register_tokens|mask_token|patch_embed\.proj\.(weight|bias)|norm\.(weight|bias))$")]
    private static partial Regex OfficialTopLevel();

    [GeneratedRegex(@"^blocks\.(?:\d+\.)?(?<block>\d+)\.(?<rest>(norm1|norm2|attn\.qkv|attn\.proj|mlp\.fc1|mlp\.fc2|mlp\.w12|mlp\.w3)\.(weight|bias)|ls1\.gamma|ls2\.gamma)$")]
    private static partial Regex OfficialBlock();

    [GeneratedRegex(@"^encoder\.layer\.(?<layer>\d+)\.attention\.attention\.(?<part>query|key|value)\.(?<param>weight|bias)$")]
    private static partial Regex HuggingFaceQkv();

    [GeneratedRegex(@"^encoder\.layer\.(?<layer>\d+)\.(?<rest>.+)$")]
    private static partial Regex HuggingFaceLayer();

    [GeneratedRegex(@"^(?<module>norm1|norm2|mlp\.fc1|mlp\.fc2|attention\.output\.dense|mlp\.weights_in|mlp\.weights_out)\.(?<param>weight|bias)$")]
    private static partial Regex HuggingFaceBlockParameter();
}
