using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.DinoV2;

/// <summary>
/// One pre-norm transformer block of DINOv2 (the official <c>Block</c>, as run at inference):
/// x + ls1(attn(norm1(x))), then + ls2(mlp(norm2(x))). Tokens [B, N, D] → [B, N, D].
/// </summary>
public sealed class DinoV2Block : Module<Tensor, Tensor>
{
    /// <summary>Creates the block of a model with <paramref name="options"/>.</summary>
    public DinoV2Block(DinoV2Options options)
    {
        long dim = options.EmbedDim;
        long hidden = (long)(dim * options.MlpRatio);
        Norm1 = RegisterModule("norm1", new LayerNorm(dim, options.LayerNormEps));
        Attn = RegisterModule("attn", new Attention(dim, options.Heads, options.QkvBias, options.ProjBias));
        if (options.LayerScaleInit is { } init1) Ls1 = RegisterModule("ls1", new LayerScale(dim, init1));
        Norm2 = RegisterModule("norm2", new LayerNorm(dim, options.LayerNormEps));
        Mlp = RegisterModule<Module<Tensor, Tensor>>("mlp", options.Ffn == DinoV2FfnKind.SwiGlu
            ? new SwiGluFfn(dim, hidden, bias: options.FfnBias)
            : new Mlp(dim, hidden, activation: ActivationKind.Gelu, bias: options.FfnBias));
        if (options.LayerScaleInit is { } init2) Ls2 = RegisterModule("ls2", new LayerScale(dim, init2));
    }

    /// <summary>Normalisation before attention.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>Multi-head self-attention (<c>attn.qkv</c>, <c>attn.proj</c>).</summary>
    public Attention Attn { get; }

    /// <summary>Scale of the attention branch, or null without LayerScale.</summary>
    public LayerScale? Ls1 { get; }

    /// <summary>Normalisation before the feed-forward network.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>The feed-forward network: <see cref="Torch.Nn.Mlp"/> or <see cref="SwiGluFfn"/>.</summary>
    public Module<Tensor, Tensor> Mlp { get; }

    /// <summary>Scale of the feed-forward branch, or null without LayerScale.</summary>
    public LayerScale? Ls2 { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Begin();
        var attended = Attn.Forward(Norm1.Forward(input));
        var x = input + (Ls1?.Forward(attended) ?? attended);
        var fed = Mlp.Forward(Norm2.Forward(x));
        return (x + (Ls2?.Forward(fed) ?? fed)).MoveToOuterScope();
    }
}
