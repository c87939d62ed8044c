using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.DinoV2;

/// <summary>
/// DINOv2's vision transformer (facebookresearch/dinov2 <c>DinoVisionTransformer</c>, commit b8931f7), with the
/// official parameter names so its checkpoints load unchanged: patch_embed, cls_token [1, 1, D], pos_embed
/// [1, 1 + g², D] (g = 37 for the released models), register_tokens [1, R, D], mask_token [1, D] (kept for the
/// checkpoints; unused at inference), blocks.N, norm. <see cref="Forward"/> returns the normalised class token, as
/// the official forward does (its head is the identity).
/// </summary>
/// <remarks>
/// Inputs are [B, 3, H, W] images normalised with ImageNet mean and std, H and W multiples of 14 (any size: the
/// position embeddings are interpolated bicubically, in float32, exactly as the official code does). The model runs in
/// its parameters' dtype (see <see cref="Module.To(DType)"/>): float32, bfloat16, or float16 on CUDA (libtorch 1.13
/// has no float16 kernels on the CPU); inputs are converted to it.
/// </remarks>
public sealed partial class DinoVisionTransformer : Module<Tensor, Tensor>, IImageEncoder
{
    /// <summary>
    /// Creates the model. With <paramref name="initializeWeights"/> the parameters get the official initialisation
    /// (truncated normal 0.02 for linear weights and pos_embed, 1e-6 normal for the class and register tokens, zero
    /// biases, LayerScale at <see cref="DinoV2Options.LayerScaleInit"/>). Without it no random numbers are drawn (see
    /// <see cref="Init.Skip"/>): the linear and convolution weights hold whatever memory they were given, so load a
    /// checkpoint strictly before use — this is what <see cref="DinoV2Weights"/> does, and it makes building ViT-g
    /// take milliseconds instead of tens of seconds.
    /// </summary>
    public DinoVisionTransformer(DinoV2Options options, bool initializeWeights = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var skip = initializeWeights ? null : Init.Skip();
        Options = options;
        long dim = options.EmbedDim;
        long positions = (long)options.PositionGrid * options.PositionGrid;
        ClsToken = RegisterParameter("cls_token", Tensor.Zeros([1, 1, dim]));
        PosEmbed = RegisterParameter("pos_embed", Tensor.Zeros([1, positions + 1, dim]));
        if (options.RegisterTokens > 0) RegisterTokens = RegisterParameter("register_tokens", Tensor.Zeros([1, options.RegisterTokens, dim]));
        MaskToken = RegisterParameter("mask_token", Tensor.Zeros([1, dim]));
        PatchEmbed = RegisterModule("patch_embed", new PatchEmbed(options.PatchSize, options.InChannels, dim));
        Blocks = RegisterModule("blocks", new ModuleList<DinoV2Block>(Enumerable.Range(0, options.Depth).Select(_ => new DinoV2Block(options))));
        Norm = RegisterModule("norm", new LayerNorm(dim, options.LayerNormEps));
        if (initializeWeights) InitializeWeights();
    }

    /// <summary>A released variant with the official initialisation (load a checkpoint with <see cref="DinoV2Weights"/>).</summary>
    public static DinoVisionTransformer Create(DinoV2Variant variant, bool initializeWeights = true) =>
        new(DinoV2Options.For(variant), initializeWeights);

    /// <summary>ViT-S/14, optionally with 4 registers.</summary>
    public static DinoVisionTransformer ViTS14(bool registers = false) => new(DinoV2Options.ViTS14(registers));

    /// <summary>ViT-B/14, optionally with 4 registers.</summary>
    public static DinoVisionTransformer ViTB14(bool registers = false) => new(DinoV2Options.ViTB14(registers));

    /// <summary>ViT-L/14, optionally with 4 registers.</summary>
    public static DinoVisionTransformer ViTL14(bool registers = false) => new(DinoV2Options.ViTL14(registers));

    /// <summary>ViT-g/14 (SwiGLU), optionally with 4 registers.</summary>
    public static DinoVisionTransformer ViTG14(bool registers = false) => new(DinoV2Options.ViTG14(registers));

    /// <summary>The configuration.</summary>
    public DinoV2Options Options { get; }

    /// <summary>[1, 1, D].</summary>
    public Tensor ClsToken { get; }

    /// <summary>[1, 1 + g², D]: the class token's embedding, then the g × g grid's, row-major.</summary>
    public Tensor PosEmbed { get; }

    /// <summary>[1, R, D], or null without registers.</summary>
    public Tensor? RegisterTokens { get; }

    /// <summary>[1, D]: the masked-patch token of iBOT training (unused at inference).</summary>
    public Tensor MaskToken { get; }

    /// <summary>Image → patch tokens (a stride-14 convolution).</summary>
    public PatchEmbed PatchEmbed { get; }

    /// <summary>The transformer blocks.</summary>
    public ModuleList<DinoV2Block> Blocks { get; }

    /// <summary>The final LayerNorm.</summary>
    public LayerNorm Norm { get; }

    /// <summary>The dtype the model computes in (its parameters').</summary>
    public DType DType => PosEmbed.DType;

    /// <summary>The normalised class token: image [B, 3, H, W] → [B, D] (the official <c>forward</c>).</summary>
    public override Tensor Forward(Tensor input)
    {
        using var tokens = ForwardTokens(input);
        return tokens.ClsToken.Alias();
    }

    /// <summary>
    /// The official <c>forward_features</c>: image [B, 3, H, W] → normalised class, register and patch tokens.
    /// </summary>
    public DinoV2Tokens ForwardTokens(Tensor image)
    {
        using var scope = DisposeScope.Begin();
        var x = PrepareTokens(image, out int gridH, out int gridW);
        foreach (var block in Blocks) x = Step(block, x);
        var normed = Norm.Forward(x);
        long r = Options.RegisterTokens;
        return new DinoV2Tokens(
            normed.Select(1, 0).MoveToOuterScope(),
            normed.Slice(1, 1, 1 + r).MoveToOuterScope(),
            normed.Slice(1, 1 + r, null).MoveToOuterScope(),
            x.MoveToOuterScope(), gridH, gridW);
    }

    /// <summary>
    /// The position embeddings for a <paramref name="gridHeight"/> × <paramref name="gridWidth"/> patch grid,
    /// [1, 1 + h·w, D] in the model's dtype (the official <c>interpolate_pos_encoding</c>): the stored ones for the
    /// square grid they were learnt on, otherwise the patch part resized bicubically in float32 — with the scale
    /// factors (h + offset) / g and (w + offset) / g when <see cref="DinoV2Options.InterpolateOffset"/> is non-zero
    /// (PyTorch then derives the output size as ⌊g · scale⌋ and the kernel uses the factors), to (h, w) otherwise.
    /// </summary>
    public Tensor InterpolatePositionEmbedding(int gridHeight, int gridWidth)
    {
        if (gridHeight <= 0 || gridWidth <= 0) throw new ArgumentOutOfRangeException(nameof(gridHeight), $"patch grid {gridHeight}x{gridWidth} is empty");
        int g = Options.PositionGrid;
        if (gridHeight == g && gridWidth == g) return PosEmbed.Alias();
        using var scope = DisposeScope.Begin();
        long dim = Options.EmbedDim;
        var positions = PosEmbed.To(DType.Float32);
        var cls = positions.Slice(1, 0, 1);
        var grid = positions.Slice(1, 1, null).Reshape(1, g, g, dim).Permute(0, 3, 1, 2); // [1, D, g, g]
        double offset = Options.InterpolateOffset;
        var resized = offset != 0
            ? Functional.Interpolate(grid, (gridHeight + offset) / g, (gridWidth + offset) / g, InterpolationMode.Bicubic, antialias: Options.InterpolateAntialias)
            : Functional.Interpolate(grid, gridHeight, gridWidth, InterpolationMode.Bicubic, antialias: Options.InterpolateAntialias);
        if (resized.Size(2) != gridHeight || resized.Size(3) != gridWidth)
        {
            throw new InvalidOperationException($"position-embedding interpolation gave a {resized.Size(2)}x{resized.Size(3)} grid instead of {gridHeight}x{gridWidth} (interpolate offset {offset})");
        }
        var patches = resized.Permute(0, 2, 3, 1).Reshape(1, -1, dim);
        return Tensor.Cat([cls, patches], 1).To(DType).MoveToOuterScope();
    }

    /// <summary>Patch tokens with the class token first and position embeddings added, then the registers: [B, 1 + R + h·w, D].</summary>
    private Tensor PrepareTokens(Tensor image, out int gridH, out int gridW)
    {
        CheckInput(image);
        using var scope = DisposeScope.Begin();
        gridH = (int)(image.Size(2) / Options.PatchSize);
        gridW = (int)(image.Size(3) / Options.PatchSize);
        var x = PatchEmbed.Forward(image.DType == DType ? image : image.To(DType)); // [B, h·w, D]
        long batch = x.Size(0);
        x = Tensor.Cat([ClsToken.Expand(batch, -1, -1), x], 1);
        x = x + InterpolatePositionEmbedding(gridH, gridW);
        if (RegisterTokens is not null)
        {
            x = Tensor.Cat([x.Slice(1, 0, 1), RegisterTokens.Expand(batch, -1, -1), x.Slice(1, 1, null)], 1);
        }
        return x.MoveToOuterScope();
    }

    /// <summary>Runs one block and frees its input at once (a deep model would otherwise keep every block's output alive until the scope ends).</summary>
    private static Tensor Step(DinoV2Block block, Tensor x)
    {
        var next = block.Forward(x);
        x.Dispose();
        return next;
    }

    private void CheckInput(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Dim != 4 || image.Size(1) != Options.InChannels)
        {
            throw new ArgumentException($"DINOv2 expects images [B, {Options.InChannels}, H, W], got [{string.Join(", ", image.Shape)}]", nameof(image));
        }
        long h = image.Size(2), w = image.Size(3), p = Options.PatchSize;
        if (h < p || w < p || h % p != 0 || w % p != 0)
        {
            throw new ArgumentException($"DINOv2 needs a height and width that are positive multiples of the patch size {p}, got {h}x{w}", nameof(image));
        }
        if (!image.DType.IsFloatingPoint()) throw new ArgumentException($"DINOv2 expects a normalised floating-point image, got {image.DType}", nameof(image));
        if (DType == DType.Float16 && PosEmbed.Device.Type == DeviceType.Cpu)
        {
            throw new NotSupportedException("float16 inference needs a CUDA device: libtorch 1.13 has no float16 CPU kernels (use bfloat16 or float32 on the CPU)");
        }
    }

    private void InitializeWeights()
    {
        // The official init_weights: pos_embed truncated normal, class/register tokens tiny normal, then timm's ViT
        // init of every linear layer (the patch convolution keeps PyTorch's default).
        Init.TruncNormal_(PosEmbed, std: 0.02);
        Init.Normal_(ClsToken, std: 1e-6);
        if (RegisterTokens is not null) Init.Normal_(RegisterTokens, std: 1e-6);
        foreach (var (_, module) in NamedModules())
        {
            if (module is not Linear linear) continue;
            Init.TruncNormal_(linear.Weight, std: 0.02);
            if (linear.Bias is not null) Init.Constant_(linear.Bias, 0);
        }
    }
}
