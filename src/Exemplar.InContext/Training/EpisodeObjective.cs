using Exemplar.Torch;
using Exemplar.Training.Losses;
using Exemplar.Training.Trainer;

namespace Exemplar.InContext.Training;

/// <summary>
/// The loss of a batch of episodes for a segmenter whose <see cref="Segmenter.Decoder"/> is being trained: from the
/// frozen encoder's maps, each episode's examples are encoded as prompts exactly as <see cref="PromptEncoder"/> does,
/// and the target is decoded through <see cref="Segmenter.DecodeLogits"/> —
/// the path inference takes, guided filter included. Binary cross-entropy plus Dice on the target's labelled pixels,
/// each episode weighing the same.
/// </summary>
/// <param name="segmenter">The segmenter (its decoder in training mode).</param>
/// <param name="bceWeight">Weight of the binary cross-entropy.</param>
/// <param name="diceWeight">Weight of the Dice loss.</param>
public sealed class EpisodeObjective(Segmenter segmenter, double bceWeight = 1, double diceWeight = 1) : ITrainingObjective<EpisodeBatch>
{
    /// <summary>Log key of the binary cross-entropy term.</summary>
    public const string BinaryCrossEntropy = "bce";

    /// <inheritdoc/>
    public LossTerms Loss(EpisodeBatch batch)
    {
        if (segmenter.Decoder is null) throw new InvalidOperationException("the segmenter has no decoder to train");
        using var scope = DisposeScope.Begin();
        int episodes = batch.Episodes, k = batch.Shots;
        var maps = batch.Maps;
        var logits = new List<Tensor>();
        for (int e = 0; e < episodes; e++)
        {
            var prompt = maps.Select(m => PromptEncoder.EncodeLevel(m.Narrow(0, e * k, k), batch.ExampleMasks.Narrow(0, e * k, k), batch.ExampleLabelled.Narrow(0, e * k, k))).ToList();
            var target = maps.Select(m => m.Narrow(0, episodes * k + e, 1)).ToList();
            logits.Add(segmenter.DecodeLogits(target, batch.Guides.Narrow(0, e, 1), prompt));
        }
        var all = Tensor.Cat([.. logits]);                                                    // [E, 1, S, S]
        var (bce, dice) = MaskLoss.Compute(all, batch.TargetMasks, batch.TargetLabelled);
        var total = bce * bceWeight + dice * diceWeight;
        var terms = new LossTerms(total.MoveToOuterScope(), new Dictionary<string, double>
        {
            [BinaryCrossEntropy] = bce.Item<float>(),
            [LossTerms.Dice] = dice.Item<float>(),
        });
        return terms;
    }
}
