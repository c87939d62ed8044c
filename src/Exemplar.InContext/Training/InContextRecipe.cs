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

    /// <summary>A decoder file to start from (fine-tuning), or null for a fresh decoder.</summary>
    public string? DecoderWeights { get; set; }

    /// <summary>The segmenter's input size (default: the encoder's default).</summary>
    public int? InputSize { get; set; }
}

/// <summary>The <c>episodes</c> section: <see cref="EpisodeSamplingOptions"/> plus the data sets.</summary>
public sealed class EpisodesRecipe
{
    /// <summary>Data sets as <c>KIND:PATH</c> (their train sides are used), e.g. <c>camvid:$shared/data/camvid</c>.</summary>
    public IReadOnlyList<string> Sources { get; set; } = [];

    /// <summary>See <see cref="EpisodeSamplingOptions.EpisodesPerBatch"/>.</summary>
    public int EpisodesPerBatch { get; set; } = 4;

    /// <summary>See <see cref="EpisodeSamplingOptions.MinShots"/>.</summary>
    public int MinShots { get; set; } = 1;

    /// <summary>See <see cref="EpisodeSamplingOptions.MaxShots"/>.</summary>
    public int MaxShots { get; set; } = 5;

    /// <summary>See <see cref="EpisodeSamplingOptions.Views"/>.</summary>
    public int Views { get; set; } = 1600;

    /// <summary>See <see cref="EpisodeSamplingOptions.BatchesPerEpoch"/>.</summary>
    public int BatchesPerEpoch { get; set; } = 250;

    /// <summary>See <see cref="EpisodeSamplingOptions.SelfPairs"/>.</summary>
    public double SelfPairs { get; set; } = 0.3;

    /// <summary>See <see cref="EpisodeSamplingOptions.Negatives"/>.</summary>
    public double Negatives { get; set; }

    /// <summary>See <see cref="EpisodeSamplingOptions.Crop"/>.</summary>
    public double Crop { get; set; } = 0.8;

    /// <summary>See <see cref="EpisodeSamplingOptions.MinCropScale"/>.</summary>
    public double MinCropScale { get; set; } = 0.3;

    /// <summary>See <see cref="EpisodeSamplingOptions.Flip"/>.</summary>
    public double Flip { get; set; } = 0.5;

    /// <summary>See <see cref="EpisodeSamplingOptions.Photometric"/>.</summary>
    public double Photometric { get; set; } = 0.5;

    /// <summary>The sampling options this section describes.</summary>
    public EpisodeSamplingOptions ToOptions() => new()
    {
        EpisodesPerBatch = EpisodesPerBatch, MinShots = MinShots, MaxShots = MaxShots, Views = Views, BatchesPerEpoch = BatchesPerEpoch,
        SelfPairs = SelfPairs, Negatives = Negatives, Crop = Crop, MinCropScale = MinCropScale, Flip = Flip, Photometric = Photometric,
    };
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
}
