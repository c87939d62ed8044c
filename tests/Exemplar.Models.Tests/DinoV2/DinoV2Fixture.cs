using System.Text.Json;
using Exemplar.Models.DinoV2;
using Exemplar.Torch;
using Exemplar.Torch.Serialization;

namespace Exemplar.Models.Tests.DinoV2;

/// <summary>The tiny DINOv2 parity fixtures of ../shared/fixtures: their config, weights, inputs and expected outputs.</summary>
internal static class DinoV2Fixture
{
    public const string Plain = "fixtures/dinov2_tiny_parity.safetensors";
    public const string Registers = "fixtures/dinov2_tiny_reg4_parity.safetensors";
    public const string PlainPth = "fixtures/dinov2_tiny_parity.pth";
    public const string NestedPth = "fixtures/dinov2_tiny_parity_nested.pth";
    public const string CheckpointKeys = "fixtures/dinov2_official_checkpoint_keys.json";
    public static readonly string[] Inputs = ["in224", "in322x434"];

    /// <summary>The options from the header's <c>config</c> JSON (written by the fixture generator from the official constructor's arguments).</summary>
    public static DinoV2Options Options(string fixture)
    {
        using var file = SafeTensorsFile.Open(SharedFolder.PathOf(fixture));
        using var config = JsonDocument.Parse(file.Metadata["config"]);
        var c = config.RootElement;
        Assert.Equal("mlp", c.GetProperty("ffn").GetString());
        Assert.Equal("gelu(exact)", c.GetProperty("act").GetString());
        return new DinoV2Options(c.GetProperty("embed_dim").GetInt32(), c.GetProperty("depth").GetInt32(), c.GetProperty("num_heads").GetInt32())
        {
            MlpRatio = c.GetProperty("mlp_ratio").GetDouble(),
            RegisterTokens = c.GetProperty("num_register_tokens").GetInt32(),
            LayerScaleInit = c.GetProperty("init_values").GetDouble(),
            InterpolateAntialias = c.GetProperty("interpolate_antialias").GetBoolean(),
            InterpolateOffset = c.GetProperty("interpolate_offset").GetDouble(),
            LayerNormEps = c.GetProperty("layernorm_eps").GetDouble(),
            QkvBias = c.GetProperty("qkv_bias").GetBoolean(),
            PatchSize = c.GetProperty("patch_size").GetInt32(),
            ImageSize = c.GetProperty("img_size").GetInt32(),
        };
    }

    /// <summary>The fixture's model, loaded through the public entry point (the <c>weights.</c> entry, chunked names).</summary>
    public static DinoVisionTransformer Model(string fixture) => DinoV2Weights.Load(SharedFolder.PathOf(fixture), Options(fixture), entry: "weights");

    /// <summary>Every tensor under <c>prefix.</c> (e.g. "input", "expected.in224"), names without the prefix; the caller's scope owns them.</summary>
    public static Dictionary<string, Tensor> Tensors(string fixture, string prefix)
    {
        using var file = SafeTensorsFile.Open(SharedFolder.PathOf(fixture));
        return file.Keys.Where(k => k.StartsWith(prefix + ".", StringComparison.Ordinal)).ToDictionary(k => k[(prefix.Length + 1)..], file.Load);
    }

    /// <summary>Max |a - b| (same shapes required).</summary>
    public static double MaxAbsDiff(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        using var scope = DisposeScope.Begin();
        return (actual.To(DType.Float32) - expected).Abs().Max().ToDouble();
    }
}
