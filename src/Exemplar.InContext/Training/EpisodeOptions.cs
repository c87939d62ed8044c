namespace Exemplar.InContext.Training;

/// <summary>How training episodes are drawn and augmented (a recipe's <c>episodes</c> section adds its data sets: <see cref="EpisodesRecipe"/>).</summary>
public record EpisodeSamplingOptions
{
    /// <summary>Episodes per batch (E).</summary>
    public int EpisodesPerBatch { get; init; } = 4;

    /// <summary>Fewest examples per episode.</summary>
    public int MinShots { get; init; } = 1;

    /// <summary>Most examples per episode (each batch draws its K uniformly in [min, max]).</summary>
    public int MaxShots { get; init; } = 5;

    /// <summary>Encoded views in the pool episodes are drawn from (two per drawn item); each costs one encoder pass and its maps' memory.</summary>
    public int Views { get; init; } = 1600;

    /// <summary>Batches in one (virtual) epoch: episodes are drawn, not enumerated.</summary>
    public int BatchesPerEpoch { get; init; } = 250;

    /// <summary>
    /// Probability that an episode's example is the other augmented view of its own target item (SegGPT-style
    /// self-pairs); otherwise its examples are views of other items of the target's group.
    /// </summary>
    public double SelfPairs { get; init; } = 0.3;

    /// <summary>
    /// Probability that an episode's target is a view of another data set (its mask empty): negative episodes, so that
    /// the decoder learns to find nothing where the class is absent — what several-class prompts and detection need.
    /// </summary>
    public double Negatives { get; init; }

    /// <summary>
    /// Probability that a negative target is a view of the episode's own data set in which its class does not appear
    /// (a street without a cyclist, a kitchen without a dog: what several-class prompts meet), read from the labels
    /// each view's crop shows, where the data set has such a view; otherwise it comes from another data set. DAVIS
    /// labels every sequence's object 1, so no DAVIS view is another DAVIS sequence's negative (it may show the same
    /// kind of thing).
    /// </summary>
    public double SameSourceNegatives { get; init; }

    /// <summary>Probability of a random resized crop of each image.</summary>
    public double Crop { get; init; } = 0.8;

    /// <summary>Smallest crop area, as a fraction of the image.</summary>
    public double MinCropScale { get; init; } = 0.3;

    /// <summary>Probability of a horizontal flip of each image.</summary>
    public double Flip { get; init; } = 0.5;

    /// <summary>Probability of mmseg's photometric distortion of each image.</summary>
    public double Photometric { get; init; } = 0.5;

    /// <summary>
    /// For a propagation decoder: the largest shift of a target's prior mask from the target's mask, in each direction,
    /// as a fraction of the square root of the mask's area (object motion between frames).
    /// </summary>
    public double PriorShift { get; init; } = 0.2;

    /// <summary>
    /// For a propagation decoder: the largest dilation or erosion of a prior mask, as a fraction of the square root of
    /// the mask's area (the object growing, shrinking or changing shape; last frame's boundary errors).
    /// </summary>
    public double PriorMorphology { get; init; } = 0.15;

    /// <summary>For a propagation decoder: the probability that a target's prior is empty (the object was lost).</summary>
    public double PriorDropout { get; init; } = 0.05;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range (the message names it).</exception>
    public void Validate()
    {
        if (EpisodesPerBatch < 1) throw new ArgumentException($"episodes_per_batch must be at least 1, got {EpisodesPerBatch}");
        if (MinShots < 1 || MaxShots < MinShots) throw new ArgumentException($"need 1 ≤ min_shots ≤ max_shots, got {MinShots} and {MaxShots}");
        if (Views < 2) throw new ArgumentException($"views must be at least 2, got {Views}");
        if (BatchesPerEpoch < 1) throw new ArgumentException($"batches_per_epoch must be at least 1, got {BatchesPerEpoch}");
        foreach (var (name, p) in new[] { ("self_pairs", SelfPairs), ("negatives", Negatives), ("same_source_negatives", SameSourceNegatives), ("crop", Crop), ("flip", Flip), ("photometric", Photometric), ("prior_dropout", PriorDropout) })
        {
            if (!(p is >= 0 and <= 1)) throw new ArgumentException($"{name} is a probability in [0, 1], got {p}");
        }
        if (!(PriorShift is >= 0 and <= 2)) throw new ArgumentException($"prior_shift must be in [0, 2], got {PriorShift}");
        if (!(PriorMorphology is >= 0 and <= 1)) throw new ArgumentException($"prior_morphology must be in [0, 1], got {PriorMorphology}");
        if (!(MinCropScale is > 0 and <= 1)) throw new ArgumentException($"min_crop_scale must be in (0, 1], got {MinCropScale}");
    }
}
