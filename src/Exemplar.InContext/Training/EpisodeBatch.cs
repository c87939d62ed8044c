using Exemplar.Torch;

namespace Exemplar.InContext.Training;

/// <summary>
/// Training episodes of one class each, all with the same number of examples, at the segmenter's input size S, as the
/// frozen encoder's maps. Images are ordered: episode 0's examples, episode 1's examples, …, then the targets of
/// episodes 0, 1, ….
/// </summary>
/// <param name="Maps">Per encoder level (<see cref="Segmenter.EncodingLevels"/>: the matched ones, then a refinement's), [E·(K + 1), C_l, h_l, w_l] the images' encoder maps.</param>
/// <param name="ExampleMasks">[E·K, 1, S, S] the class in each example, 0/1.</param>
/// <param name="ExampleLabelled">[E·K, 1, S, S] where the examples are image and labelled, 0/1.</param>
/// <param name="TargetMasks">[E, 1, S, S] the class in each target, 0/1.</param>
/// <param name="TargetLabelled">[E, 1, S, S] where the targets are image and labelled (the loss is computed there), 0/1.</param>
/// <param name="Guides">[E, 1, S, S] the targets' gray guides.</param>
/// <param name="Shots">K.</param>
/// <param name="TargetPriors">
/// [E, 1, S, S] where the class was "in the previous frame", 0/1 (for a propagation decoder), or null: each target's
/// own mask moved and grown or shrunk (a negative target's: an example's mask, so an empty prior never means absent).
/// </param>
public sealed record EpisodeBatch(IReadOnlyList<Tensor> Maps, Tensor ExampleMasks, Tensor ExampleLabelled, Tensor TargetMasks, Tensor TargetLabelled, Tensor Guides, int Shots,
    Tensor? TargetPriors = null) : IDisposable
{
    /// <summary>E.</summary>
    public int Episodes => (int)TargetMasks.Size(0);

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        foreach (var m in Maps) m.Dispose();
        ExampleMasks.Dispose();
        ExampleLabelled.Dispose();
        TargetMasks.Dispose();
        TargetLabelled.Dispose();
        Guides.Dispose();
        TargetPriors?.Dispose();
    }
}
