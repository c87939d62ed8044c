using Exemplar.Training.Recipes;

namespace Exemplar.InContext.Training;

/// <summary>
/// A recipe that trains an in-context decoder (<see cref="LearnedDecoder"/>) for a frozen zoo encoder, episodically.
/// Sections: <c>model</c>, <c>episodes</c>, <c>validation</c>, <c>loss</c>, and the <c>optimizer</c>, <c>schedule</c>
/// and <c>trainer</c> sections every recipe has. A recipe is in-context when it has an <c>episodes</c> section.
/// </summary>
public sealed class InContextRecipe
{
    /// <summary>The section that marks a recipe as in-context.</summary>
    public const string EpisodesSection = "episodes";

    /// <summary>The encoder and the decoder's size.</summary>
    public InContextModelRecipe Model { get; set; } = new();

    /// <summary>Where episodes come from and how they are augmented.</summary>
    public EpisodesRecipe Episodes { get; set; } = new();

    /// <summary>The held-out episodes the run is validated (and its best checkpoint chosen) on.</summary>
    public InContextValidationRecipe Validation { get; set; } = new();

    /// <summary>Loss weights.</summary>
    public InContextLossRecipe Loss { get; set; } = new();

    /// <summary>The optimizer (over the decoder's parameters).</summary>
    public OptimizerRecipe Optimizer { get; set; } = new();

    /// <summary>The learning-rate schedule.</summary>
    public ScheduleRecipe Schedule { get; set; } = new();

    /// <summary>Length, seed, logging, validation and checkpoint cadence.</summary>
    public TrainerRecipe Trainer { get; set; } = new();
}

/// <summary>The <c>model</c> section.</summary>
public sealed class InContextModelRecipe
{
    /// <summary>The zoo encoder (frozen), e.g. <c>mobilenetv2</c> or <c>dinov2_vits14</c>.</summary>
    public string Encoder { get; set; } = "";

    /// <summary>Its weight file.</summary>
    public string Weights { get; set; } = "";

    /// <summary>Channels inside the decoder.</summary>
    public int Width { get; set; } = 64;

    /// <summary>
    /// Whether the decoder has a presence head (<see cref="LearnedDecoder.PresenceHead"/>): trained on every target,
    /// with the mask loss on the targets that hold the class. A start decoder without one gets a fresh one.
    /// </summary>
    public bool Presence { get; set; }

    /// <summary>
    /// Train only the presence head: the mask decoder keeps the weights <see cref="DecoderWeights"/> gave it (what it
    /// learnt from positive episodes stays exactly as it was). Needs <see cref="Presence"/> and <see cref="DecoderWeights"/>.
    /// </summary>
    public bool PresenceOnly { get; set; }

    /// <summary>
    /// Whether the decoder reads a mask prior (<see cref="LearnedDecoder.PriorProjection"/>): a propagation decoder for
    /// video tracking, trained with each target's mask moved and reshaped as the previous frame's (the
    /// <c>prior_*</c> keys of <c>episodes</c>). A start decoder without a prior gets a fresh, zero one. Validation
    /// episodes have no previous frame: such a recipe has no <c>validation</c> sources (<c>exemplar eval --video</c>
    /// scores it).
    /// </summary>
    public bool Prior { get; set; }

    /// <summary>
    /// A finer encoder level for a <see cref="MaskRefinement"/> (e.g. 6, MobileNetV2's stride-8 block), or null for
    /// none. A start decoder without a refinement gets a fresh one whose correction starts at zero.
    /// </summary>
    public int? FineLevel { get; set; }

    /// <summary>
    /// Train only the refinement: the decoder <see cref="DecoderWeights"/> gave keeps its weights (its coarse masks and
    /// presence head stay exactly as they were) and the refinement learns to correct the masks at the finer grid.
    /// Needs <see cref="FineLevel"/> and <see cref="DecoderWeights"/>.
    /// </summary>
    public bool RefinementOnly { get; set; }

    /// <summary>A decoder file to start from (fine-tuning), or null for a fresh decoder.</summary>
    public string? DecoderWeights { get; set; }

    /// <summary>The segmenter's input size (default: the encoder's default).</summary>
    public int? InputSize { get; set; }
}

/// <summary>
/// The <c>episodes</c> section: the data sets, and the <see cref="EpisodeSamplingOptions"/> keys beside them
/// (<c>episodes_per_batch</c>, <c>min_shots</c>, …, with the same defaults).
/// </summary>
public sealed record EpisodesRecipe : EpisodeSamplingOptions
{
    /// <summary>Data sets as <c>KIND:PATH</c> (their train sides are used), e.g. <c>camvid:$shared/data/camvid</c>.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>
    /// COCO-20i's fold protocol: the 20 test classes of this fold are no episode's class in the coco-mini source, so that
    /// <c>exemplar eval --dataset coco-mini:PATH --fold N</c> scores classes the decoder never saw (null: every class).
    /// </summary>
    public int? HeldOutFold { get; init; }
}

/// <summary>The <c>validation</c> section.</summary>
public sealed class InContextValidationRecipe
{
    /// <summary>Data sets as <c>KIND:PATH</c> (their eval sides are used).</summary>
    public IReadOnlyList<string> Sources { get; set; } = [];

    /// <summary>Episodes per data set.</summary>
    public int Episodes { get; set; } = 10;

    /// <summary>Shots per episode.</summary>
    public int Shots { get; set; } = 1;
}

/// <summary>The <c>loss</c> section.</summary>
public sealed class InContextLossRecipe
{
    /// <summary>Weight of the binary cross-entropy.</summary>
    public double Bce { get; set; } = 1;

    /// <summary>Weight of the Dice loss.</summary>
    public double Dice { get; set; } = 1;

    /// <summary>Weight of the presence head's binary cross-entropy (with <c>model.presence</c>).</summary>
    public double Presence { get; set; } = 1;
}
