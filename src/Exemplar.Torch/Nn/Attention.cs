namespace Exemplar.Torch.Nn;

/// <summary>
/// Multi-head self-attention in the timm/DINOv2 layout (one <c>qkv</c> projection, then <c>proj</c>), computed with
/// plain matrix products (libtorch 1.13 has no fused attention): x [B, N, C] → [B, N, C].
/// </summary>
public sealed class Attention : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public Attention(long dim, int heads, bool qkvBias = true, bool projBias = true)
    {
        if (dim % heads != 0) throw new ArgumentException($"dim {dim} is not divisible by {heads} heads");
        Heads = heads;
        Qkv = RegisterModule("qkv", new Linear(dim, dim * 3, qkvBias));
        Proj = RegisterModule("proj", new Linear(dim, dim, projBias));
    }

    /// <summary>Number of heads.</summary>
    public int Heads { get; }

    /// <summary>[C] → [3C] query, key and value projection.</summary>
    public Linear Qkv { get; }

    /// <summary>Output projection.</summary>
    public Linear Proj { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x)
    {
        using var scope = DisposeScope.Begin();
        long b = x.Size(0), n = x.Size(1), c = x.Size(2);
        var qkv = Qkv.Forward(x).Reshape(b, n, 3, Heads, c / Heads).Permute(2, 0, 3, 1, 4); // [3, B, heads, N, d]
        var attended = Functional.ScaledDotProductAttention(qkv.Select(0, 0), qkv.Select(0, 1), qkv.Select(0, 2)); // [B, heads, N, d]
        return Proj.Forward(attended.Transpose(1, 2).Reshape(b, n, c)).MoveToOuterScope();
    }
}

/// <summary>
/// Multi-head attention with separate query, key and value projections (SAM's <c>q_proj</c>, <c>k_proj</c>,
/// <c>v_proj</c>, <c>out_proj</c>), for cross-attention: query [B, Nq, C], key/value [B, Nk, C] → [B, Nq, C].
/// An optional internal dimension (<c>downsampleRate</c>) shrinks q/k/v as SAM's two-way transformer does.
/// </summary>
public sealed class MultiheadAttention : Module<(Tensor Query, Tensor Key, Tensor Value), Tensor>
{
    /// <summary>Creates the layer.</summary>
    public MultiheadAttention(long dim, int heads, int downsampleRate = 1)
    {
        long inner = dim / downsampleRate;
        if (inner % heads != 0) throw new ArgumentException($"internal dim {inner} is not divisible by {heads} heads");
        Heads = heads;
        QProj = RegisterModule("q_proj", new Linear(dim, inner));
        KProj = RegisterModule("k_proj", new Linear(dim, inner));
        VProj = RegisterModule("v_proj", new Linear(dim, inner));
        OutProj = RegisterModule("out_proj", new Linear(inner, dim));
    }

    /// <summary>Number of heads.</summary>
    public int Heads { get; }

    /// <summary>Query projection.</summary>
    public Linear QProj { get; }

    /// <summary>Key projection.</summary>
    public Linear KProj { get; }

    /// <summary>Value projection.</summary>
    public Linear VProj { get; }

    /// <summary>Output projection.</summary>
    public Linear OutProj { get; }

    /// <inheritdoc/>
    public override Tensor Forward((Tensor Query, Tensor Key, Tensor Value) input)
    {
        using var scope = DisposeScope.Begin();
        var q = SplitHeads(QProj.Forward(input.Query));
        var k = SplitHeads(KProj.Forward(input.Key));
        var v = SplitHeads(VProj.Forward(input.Value));
        var o = Functional.ScaledDotProductAttention(q, k, v); // [B, heads, Nq, d]
        return OutProj.Forward(o.Transpose(1, 2).Flatten(2)).MoveToOuterScope();
    }

    private Tensor SplitHeads(Tensor x) => x.Unflatten(2, Heads, -1).Transpose(1, 2); // [B, N, C] → [B, heads, N, C/heads]
}

/// <summary>The transformer feed-forward block: fc1, activation, fc2 (timm's <c>Mlp</c>): [..., C] → [..., out].</summary>
public sealed class Mlp : Module<Tensor, Tensor>
{
    /// <summary>Creates the block (hidden and output sizes default to the input size).</summary>
    public Mlp(long inFeatures, long? hiddenFeatures = null, long? outFeatures = null, ActivationKind activation = ActivationKind.Gelu, bool bias = true)
    {
        ActivationKind = activation;
        Fc1 = RegisterModule("fc1", new Linear(inFeatures, hiddenFeatures ?? inFeatures, bias));
        Fc2 = RegisterModule("fc2", new Linear(hiddenFeatures ?? inFeatures, outFeatures ?? inFeatures, bias));
    }

    /// <summary>The activation between the two layers.</summary>
    public ActivationKind ActivationKind { get; }

    /// <summary>First layer.</summary>
    public Linear Fc1 { get; }

    /// <summary>Second layer.</summary>
    public Linear Fc2 { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Begin();
        return Fc2.Forward(Activation.Apply(ActivationKind, Fc1.Forward(input))).MoveToOuterScope();
    }
}

/// <summary>
/// Image to patch tokens: a stride-p convolution then flattening (timm's <c>PatchEmbed</c>, weights <c>proj.*</c>):
/// [B, C, H, W] → [B, (H/p)·(W/p), D]. H and W must be multiples of p.
/// </summary>
public sealed class PatchEmbed : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public PatchEmbed(int patchSize, long inChannels, long embedDim)
    {
        PatchSize = patchSize;
        Proj = RegisterModule("proj", new Conv2d(inChannels, embedDim, patchSize, stride: patchSize));
    }

    /// <summary>Patch side in pixels.</summary>
    public int PatchSize { get; }

    /// <summary>The patch projection.</summary>
    public Conv2d Proj { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        long h = input.Size(2), w = input.Size(3);
        if (h % PatchSize != 0 || w % PatchSize != 0)
        {
            throw new TorchException($"input {h}x{w} is not a multiple of the patch size {PatchSize}");
        }
        using var scope = DisposeScope.Begin();
        return Proj.Forward(input).Flatten(2).Transpose(1, 2).MoveToOuterScope();
    }
}
