namespace Exemplar.Models.DinoV2;

/// <summary>The feed-forward network of a DINOv2 block.</summary>
public enum DinoV2FfnKind
{
    /// <summary>fc1, exact GELU, fc2 (ViT-S, B and L): hidden = ⌊D · mlp ratio⌋.</summary>
    Mlp,
    /// <summary>
    /// SwiGLU (ViT-g, the official <c>SwiGLUFFNFused</c>): w3(silu(x1) · x2) with x1, x2 the halves of w12(x);
    /// hidden = (⌊⌊D · mlp ratio⌋ · 2 / 3⌋ + 7) / 8 · 8.
    /// </summary>
    SwiGlu,
}

/// <summary>The released DINOv2 backbones (the official hub names in brackets).</summary>
public enum DinoV2Variant
{
    /// <summary>ViT-S/14, 384 wide, 12 blocks, 6 heads (<c>dinov2_vits14</c>).</summary>
    ViTS14,
    /// <summary>ViT-S/14 with 4 register tokens (<c>dinov2_vits14_reg</c>).</summary>
    ViTS14Reg4,
    /// <summary>ViT-B/14, 768 wide, 12 blocks, 12 heads (<c>dinov2_vitb14</c>).</summary>
    ViTB14,
    /// <summary>ViT-B/14 with 4 register tokens (<c>dinov2_vitb14_reg</c>).</summary>
    ViTB14Reg4,
    /// <summary>ViT-L/14, 1024 wide, 24 blocks, 16 heads (<c>dinov2_vitl14</c>).</summary>
    ViTL14,
    /// <summary>ViT-L/14 with 4 register tokens (<c>dinov2_vitl14_reg</c>).</summary>
    ViTL14Reg4,
    /// <summary>ViT-g/14, 1536 wide, 40 blocks, 24 heads, SwiGLU (<c>dinov2_vitg14</c>).</summary>
    ViTG14,
    /// <summary>ViT-g/14 with 4 register tokens (<c>dinov2_vitg14_reg</c>).</summary>
    ViTG14Reg4,
}

/// <summary>
/// The configuration of a <see cref="DinoVisionTransformer"/>, with the official constructor's defaults
/// (facebookresearch/dinov2 <c>DinoVisionTransformer</c> as the hub builds it: image 518, patch 14, LayerScale 1.0).
/// </summary>
/// <param name="EmbedDim">Token width D.</param>
/// <param name="Depth">Number of transformer blocks.</param>
/// <param name="Heads">Attention heads (D must be divisible by them).</param>
public sealed record DinoV2Options(int EmbedDim, int Depth, int Heads)
{
    /// <summary>MLP hidden width over D (the SwiGLU hidden width is derived from it, see <see cref="DinoV2FfnKind.SwiGlu"/>).</summary>
    public double MlpRatio { get; init; } = 4;

    /// <summary>Which feed-forward network the blocks use.</summary>
    public DinoV2FfnKind Ffn { get; init; } = DinoV2FfnKind.Mlp;

    /// <summary>Register tokens inserted after the class token (0 or 4 in the released models).</summary>
    public int RegisterTokens { get; init; }

    /// <summary>
    /// Added to the target patch grid before computing the bicubic scale factors of the position-embedding
    /// interpolation (a historical work-around kept for compatibility); 0 interpolates to the target size directly.
    /// </summary>
    public double InterpolateOffset { get; init; } = 0.1;

    /// <summary>Whether the position-embedding interpolation low-pass filters (antialias) when shrinking.</summary>
    public bool InterpolateAntialias { get; init; }

    /// <summary>Initial LayerScale value (the <c>ls1</c>/<c>ls2</c> gammas), or null for blocks without LayerScale.</summary>
    public double? LayerScaleInit { get; init; } = 1.0;

    /// <summary>Patch side in pixels.</summary>
    public int PatchSize { get; init; } = 14;

    /// <summary>The image side the position embedding was learnt for (its grid is ImageSize / PatchSize).</summary>
    public int ImageSize { get; init; } = 518;

    /// <summary>Input channels.</summary>
    public int InChannels { get; init; } = 3;

    /// <summary>Bias in the qkv projection.</summary>
    public bool QkvBias { get; init; } = true;

    /// <summary>Bias in the attention output projection.</summary>
    public bool ProjBias { get; init; } = true;

    /// <summary>Bias in the feed-forward layers.</summary>
    public bool FfnBias { get; init; } = true;

    /// <summary>Epsilon of every LayerNorm.</summary>
    public double LayerNormEps { get; init; } = 1e-6;

    /// <summary>Side of the position-embedding grid (37 for 518 / 14).</summary>
    public int PositionGrid => ImageSize / PatchSize;

    /// <summary>ViT-S/14 (384, 12 blocks, 6 heads).</summary>
    public static DinoV2Options ViTS14(bool registers = false) => Released(new DinoV2Options(384, 12, 6), registers);

    /// <summary>ViT-B/14 (768, 12 blocks, 12 heads).</summary>
    public static DinoV2Options ViTB14(bool registers = false) => Released(new DinoV2Options(768, 12, 12), registers);

    /// <summary>ViT-L/14 (1024, 24 blocks, 16 heads).</summary>
    public static DinoV2Options ViTL14(bool registers = false) => Released(new DinoV2Options(1024, 24, 16), registers);

    /// <summary>ViT-g/14 (1536, 40 blocks, 24 heads, SwiGLU feed-forward).</summary>
    public static DinoV2Options ViTG14(bool registers = false) =>
        Released(new DinoV2Options(1536, 40, 24) { Ffn = DinoV2FfnKind.SwiGlu }, registers);

    /// <summary>The options of a released variant.</summary>
    public static DinoV2Options For(DinoV2Variant variant) => variant switch
    {
        DinoV2Variant.ViTS14 => ViTS14(),
        DinoV2Variant.ViTS14Reg4 => ViTS14(registers: true),
        DinoV2Variant.ViTB14 => ViTB14(),
        DinoV2Variant.ViTB14Reg4 => ViTB14(registers: true),
        DinoV2Variant.ViTL14 => ViTL14(),
        DinoV2Variant.ViTL14Reg4 => ViTL14(registers: true),
        DinoV2Variant.ViTG14 => ViTG14(),
        DinoV2Variant.ViTG14Reg4 => ViTG14(registers: true),
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "not a DINOv2 variant"),
    };

    /// <summary>The official hub name of a variant (<c>dinov2_vitb14_reg</c>), as its checkpoint is named.</summary>
    public static string HubName(DinoV2Variant variant) => variant switch
    {
        DinoV2Variant.ViTS14 => "dinov2_vits14",
        DinoV2Variant.ViTS14Reg4 => "dinov2_vits14_reg",
        DinoV2Variant.ViTB14 => "dinov2_vitb14",
        DinoV2Variant.ViTB14Reg4 => "dinov2_vitb14_reg",
        DinoV2Variant.ViTL14 => "dinov2_vitl14",
        DinoV2Variant.ViTL14Reg4 => "dinov2_vitl14_reg",
        DinoV2Variant.ViTG14 => "dinov2_vitg14",
        DinoV2Variant.ViTG14Reg4 => "dinov2_vitg14_reg",
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "not a DINOv2 variant"),
    };

    /// <summary>
    /// The hub's settings: the register models were trained with antialiased, offset-free position-embedding
    /// interpolation (<c>interpolate_antialias=True, interpolate_offset=0.0</c> in the official hub), the others with
    /// the 0.1 offset and no antialias.
    /// </summary>
    private static DinoV2Options Released(DinoV2Options options, bool registers) => registers
        ? options with { RegisterTokens = 4, InterpolateAntialias = true, InterpolateOffset = 0 }
        : options;

    /// <summary>Throws when the options cannot describe a model.</summary>
    internal void Validate()
    {
        if (EmbedDim <= 0 || Depth <= 0 || Heads <= 0) throw new ArgumentException($"embed dim ({EmbedDim}), depth ({Depth}) and heads ({Heads}) must be positive");
        if (EmbedDim % Heads != 0) throw new ArgumentException($"embed dim {EmbedDim} is not divisible by {Heads} heads");
        if (PatchSize <= 0 || ImageSize < PatchSize || ImageSize % PatchSize != 0) throw new ArgumentException($"image size {ImageSize} must be a positive multiple of the patch size {PatchSize}");
        if (RegisterTokens < 0) throw new ArgumentException($"register tokens ({RegisterTokens}) cannot be negative");
        if (MlpRatio <= 0) throw new ArgumentException($"MLP ratio ({MlpRatio}) must be positive");
        if (InterpolateOffset < 0) throw new ArgumentException($"interpolate offset ({InterpolateOffset}) cannot be negative");
    }
}
