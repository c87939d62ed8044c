using Exemplar.Torch;

namespace Exemplar.Models.DinoV2;

/// <summary>
/// What the official <c>forward_features</c> returns: the final-normalised class, register and patch tokens, and the
/// tokens before the final norm. The tensors belong to the caller (dispose the record).
/// </summary>
/// <param name="ClsToken"><c>x_norm_clstoken</c> [B, D].</param>
/// <param name="RegisterTokens"><c>x_norm_regtokens</c> [B, R, D] (R = 0 without registers).</param>
/// <param name="PatchTokens"><c>x_norm_patchtokens</c> [B, h·w, D], row-major over the patch grid.</param>
/// <param name="PreNorm"><c>x_prenorm</c> [B, 1 + R + h·w, D]: the last block's output.</param>
/// <param name="GridHeight">h = H / patch size.</param>
/// <param name="GridWidth">w = W / patch size.</param>
public sealed record DinoV2Tokens(Tensor ClsToken, Tensor RegisterTokens, Tensor PatchTokens, Tensor PreNorm, int GridHeight, int GridWidth) : IDisposable
{
    /// <summary>The patch tokens as a feature map [B, D, h, w] (a new tensor).</summary>
    public Tensor PatchMap()
    {
        using var scope = DisposeScope.Begin();
        return PatchTokens.Reshape(PatchTokens.Size(0), GridHeight, GridWidth, -1).Permute(0, 3, 1, 2).Contiguous().MoveToOuterScope();
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        ClsToken.Dispose();
        RegisterTokens.Dispose();
        PatchTokens.Dispose();
        PreNorm.Dispose();
    }
}

/// <summary>
/// One block's output as the official <c>get_intermediate_layers</c> returns it. The tensors belong to the caller.
/// </summary>
/// <param name="BlockIndex">Which block (0-based) produced it.</param>
/// <param name="PatchTokens">[B, h·w, D], or [B, D, h, w] when reshaped.</param>
/// <param name="ClassToken">[B, D], or null when it was not asked for.</param>
public sealed record DinoV2LayerOutput(int BlockIndex, Tensor PatchTokens, Tensor? ClassToken) : IDisposable
{
    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        PatchTokens.Dispose();
        ClassToken?.Dispose();
    }
}
