using Exemplar.Torch;
using Exemplar.Training.Losses;
using Exemplar.Training.Trainer;

namespace Exemplar.InContext.Training;

/// <summary>
/// The loss of a batch of episodes for a segmenter whose <see cref="Segmenter.Decoder"/> is being trained: from the
/// frozen encoder's maps, each episode's examples are encoded as prompts exactly as <see cref="PromptEncoder"/> does,
/// and the target is decoded through <see cref="Segmenter.DecodeParts"/> —
/// the path inference takes, guided filter included. Binary cross-entropy plus Dice on the target's labelled pixels,
/// each episode weighing the same. With a presence head, the mask terms score only targets that hold the class and
/// a binary cross-entropy of the presence logits (weighted by <paramref name="presenceWeight"/>) scores every target.
/// A propagation decoder reads each target's <see cref="EpisodeBatch.TargetPriors"/>.
/// </summary>
/// <param name="segmenter">The segmenter (its decoder in training mode).</param>
/// <param name="bceWeight">Weight of the binary cross-entropy.</param>
/// <param name="diceWeight">Weight of the Dice loss.</param>
/// <param name="presenceWeight">Weight of the presence head's cross-entropy (a decoder without one ignores it).</param>
public sealed class EpisodeObjective(Segmenter segmenter, double bceWeight = 1, double diceWeight = 1, double presenceWeight = 1) : ITrainingObjective<EpisodeBatch>
{
    /// <summary>Log key of the binary cross-entropy term.</summary>
    public const string BinaryCrossEntropy = "bce";

    /// <summary>Log key of the presence head's cross-entropy term.</summary>
    public const string PresenceCrossEntropy = "presence";

    /// <inheritdoc/>
    public LossTerms Loss(EpisodeBatch batch)
    {
        if (segmenter.Decoder is null) throw new InvalidOperationException("the segmenter has no decoder to train");
        using var scope = DisposeScope.Begin();
        int episodes = batch.Episodes, k = batch.Shots;
        var maps = batch.Maps;                                                                // at the segmenter's encoding levels
        int matched = segmenter.Options.Levels.Count;
        bool presenceHead = segmenter.Decoder.PresenceHead is not null;
        var logits = new List<Tensor>();
        var presence = new List<Tensor>();
        for (int e = 0; e < episodes; e++)
        {
            var prompt = maps.Take(matched).Select(m => PromptEncoder.EncodeLevel(m.Narrow(0, e * k, k), batch.ExampleMasks.Narrow(0, e * k, k), batch.ExampleLabelled.Narrow(0, e * k, k))).ToList();
            var target = maps.Select(m => m.Narrow(0, episodes * k + e, 1)).ToList();
            // Without a presence head the mask logits are the decoder's logits.
            var (mask, present) = segmenter.DecodeParts(target, batch.Guides.Narrow(0, e, 1), prompt, batch.TargetPriors?.Narrow(0, e, 1));
            logits.Add(mask);
            if (present is not null) presence.Add(present);
        }
        var all = Tensor.Cat([.. logits]);                                                    // [E, 1, S, S]
        var (bce, dice) = MaskLoss.Compute(all, batch.TargetMasks, batch.TargetLabelled, positivesOnly: presenceHead);
        var total = bce * bceWeight + dice * diceWeight;
        var values = new Dictionary<string, double>
        {
            [BinaryCrossEntropy] = bce.Item<float>(),
            [LossTerms.Dice] = dice.Item<float>(),
        };
        if (presenceHead)
        {
            var presenceLoss = Functional.BinaryCrossEntropyWithLogits(Tensor.Cat([.. presence]), MaskLoss.Present(batch.TargetMasks, batch.TargetLabelled));
            total += presenceLoss * presenceWeight;
            values[PresenceCrossEntropy] = presenceLoss.Item<float>();
        }
        return new LossTerms(total.MoveToOuterScope(), values);
    }
}
