using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.DinoV2;

/// <summary>
/// The SwiGLU feed-forward network of DINOv2's ViT-g (the official <c>SwiGLUFFNFused</c>, weights <c>w12</c> and
/// <c>w3</c>): x12 = w12(x); x1, x2 = halves of x12; w3(silu(x1) · x2). [..., in] → [..., out].
/// </summary>
public sealed class SwiGluFfn : Module<Tensor, Tensor>
{
    /// <summary>
    /// Creates the network. As the official layer does, the requested hidden width h becomes
    /// (⌊h · 2 / 3⌋ + 7) / 8 · 8 (a multiple of 8 with about the parameter count of a plain MLP of width h).
    /// </summary>
    public SwiGluFfn(long inFeatures, long hiddenFeatures, long? outFeatures = null, bool bias = true)
    {
        HiddenFeatures = FusedHidden(hiddenFeatures);
        W12 = RegisterModule("w12", new Linear(inFeatures, 2 * HiddenFeatures, bias));
        W3 = RegisterModule("w3", new Linear(HiddenFeatures, outFeatures ?? inFeatures, bias));
    }

    /// <summary>The effective hidden width.</summary>
    public long HiddenFeatures { get; }

    /// <summary>[in] → [2 · hidden]: the gate and value projections in one matrix.</summary>
    public Linear W12 { get; }

    /// <summary>[hidden] → [out].</summary>
    public Linear W3 { get; }

    /// <summary>The hidden width the official layer derives from a requested one: (⌊h · 2 / 3⌋ + 7) / 8 · 8.</summary>
    public static long FusedHidden(long requested) => ((long)(requested * 2 / 3.0) + 7) / 8 * 8;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Begin();
        var halves = W12.Forward(input).Chunk(2, -1);
        return W3.Forward(Functional.Silu(halves[0]) * halves[1]).MoveToOuterScope();
    }
}
