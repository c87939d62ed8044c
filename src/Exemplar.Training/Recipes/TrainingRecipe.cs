using Exemplar.Training.Segmentation;

namespace Exemplar.Training.Recipes;

/// <summary>
/// A supervised segmentation training recipe as written in YAML (snake_case keys; see <c>recipes/*.yaml</c>). Paths
/// are relative to the recipe's folder; a path starting with <c>$shared/</c> is inside the shared data folder
/// (<c>EXEMPLAR_SHARED</c>, or <c>../shared</c> beside the repository).
/// </summary>
public sealed class TrainingRecipe
{
    /// <summary>The network.</summary>
    public ModelRecipe Model { get; set; } = new();

    /// <summary>The data sets and loading.</summary>
    public DataRecipe Data { get; set; } = new();

    /// <summary>Training-time augmentation.</summary>
    public AugmentRecipe Augment { get; set; } = new();

    /// <summary>The loss.</summary>
    public LossRecipe Loss { get; set; } = new();

    /// <summary>The optimizer.</summary>
    public OptimizerRecipe Optimizer { get; set; } = new();

    /// <summary>The learning-rate schedule.</summary>
    public ScheduleRecipe Schedule { get; set; } = new();

    /// <summary>Length, accumulation, validation, checkpoints.</summary>
    public TrainerRecipe Trainer { get; set; } = new();

    /// <summary>Quantisation-aware training, or null for a float run.</summary>
    public QuantizationRecipe? Quantization { get; set; }
}

/// <summary>
/// The <c>quantization:</c> section: train with int8 fake quantisation in the loop (TI's QAT), usually starting from a
/// trained float model (<c>model.weights</c>): batch norms are folded, ranges calibrated on the first training batches,
/// then updated as moving averages while the weights train. Checkpoints are int8 model files.
/// </summary>
public sealed class QuantizationRecipe
{
    /// <summary>Training batches the activation ranges are calibrated on before the first step.</summary>
    public int CalibrationBatches { get; set; } = 8;

    /// <summary>How fast the ranges follow the data while training (PyTorch's moving-average observers: 0.01).</summary>
    public double AveragingConstant { get; set; } = 0.01;
}

/// <summary>The <c>model:</c> section.</summary>
public sealed class ModelRecipe
{
    /// <summary>A network of the segmentation zoo, e.g. lraspp_mobilenetv2.</summary>
    public string Name { get; set; } = "";

    /// <summary>The pretrained backbone file, or null for random weights.</summary>
    public string? BackboneWeights { get; set; }

    /// <summary>A model file (<c>checkpoints/best/model.safetensors</c> of a float run) to start from, or null.</summary>
    public string? Weights { get; set; }
}

/// <summary>The <c>data:</c> section.</summary>
public sealed class DataRecipe
{
    /// <summary>The data set's kind.</summary>
    public SupervisedDatasetKind Kind { get; set; }

    /// <summary>Its root folder.</summary>
    public string Root { get; set; } = "";

    /// <summary>The split trained on.</summary>
    public string TrainSplit { get; set; } = "train";

    /// <summary>The split validated on.</summary>
    public string ValSplit { get; set; } = "val";

    /// <summary>Train on at most this many items (the first ones), or null for all.</summary>
    public int? TrainLimit { get; set; }

    /// <summary>Validate on at most this many items (spread over the split), or null for all.</summary>
    public int? ValLimit { get; set; }

    /// <summary>Training crop height (a multiple of the network's size multiple).</summary>
    public int CropHeight { get; set; } = 512;

    /// <summary>Training crop width.</summary>
    public int CropWidth { get; set; } = 512;

    /// <summary>Samples per batch (per process in a distributed run).</summary>
    public int BatchSize { get; set; } = 8;

    /// <summary>Decoding threads.</summary>
    public int Workers { get; set; } = 2;
}

/// <summary>The <c>augment:</c> section (mmseg/OTX's pipeline: random resized crop, flip, rotation, photometric distortion, mixing).</summary>
public sealed class AugmentRecipe
{
    /// <summary>Smallest area fraction of a random resized crop.</summary>
    public double MinScale { get; set; } = 0.25;

    /// <summary>Largest area fraction.</summary>
    public double MaxScale { get; set; } = 1.0;

    /// <summary>Probability of a horizontal flip.</summary>
    public double Flip { get; set; } = 0.5;

    /// <summary>Probability of a random rotation (±<see cref="RotateDegrees"/>).</summary>
    public double Rotate { get; set; }

    /// <summary>Largest rotation angle.</summary>
    public double RotateDegrees { get; set; } = 10;

    /// <summary>Probability of each photometric distortion (brightness, contrast, saturation, hue).</summary>
    public double Photometric { get; set; } = 0.5;

    /// <summary>Probability of CutMix with another training sample.</summary>
    public double Cutmix { get; set; }

    /// <summary>Probability of a 2x2 mosaic of training samples.</summary>
    public double Mosaic { get; set; }
}

/// <summary>The <c>loss:</c> section.</summary>
public sealed class LossRecipe
{
    /// <summary>Weight of cross-entropy.</summary>
    public double CrossEntropy { get; set; } = 1;

    /// <summary>Weight of the multi-class Dice loss.</summary>
    public double Dice { get; set; }

    /// <summary>Weight of the focal loss.</summary>
    public double Focal { get; set; }

    /// <summary>Label smoothing of cross-entropy.</summary>
    public double LabelSmoothing { get; set; }

    /// <summary>Per-class weights of cross-entropy, or null.</summary>
    public IReadOnlyList<double>? ClassWeights { get; set; }
}

/// <summary>Optimizer kinds.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with momentum.</summary>
    Sgd,
    /// <summary>Adam.</summary>
    Adam,
    /// <summary>AdamW (decoupled weight decay; OTX's default).</summary>
    Adamw,
}

/// <summary>The <c>optimizer:</c> section.</summary>
public sealed class OptimizerRecipe
{
    /// <summary>Which optimizer.</summary>
    public OptimizerKind Kind { get; set; } = OptimizerKind.Adamw;

    /// <summary>Learning rate.</summary>
    public double Lr { get; set; } = 1e-3;

    /// <summary>Weight decay.</summary>
    public double WeightDecay { get; set; } = 0.01;

    /// <summary>SGD's momentum.</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>SGD's Nesterov momentum.</summary>
    public bool Nesterov { get; set; }

    /// <summary>No weight decay on normalisation weights and biases.</summary>
    public bool NoDecayOnNormAndBias { get; set; } = true;

    /// <summary>The backbone's learning rate as a fraction of <see cref="Lr"/> (1: the same).</summary>
    public double BackboneLrScale { get; set; } = 1;
}

/// <summary>Schedule kinds.</summary>
public enum ScheduleKind
{
    /// <summary>A constant rate.</summary>
    Constant,
    /// <summary>Polynomial decay to <see cref="ScheduleRecipe.MinLr"/> (OTX for SegNeXt and DINOv2 heads).</summary>
    Poly,
    /// <summary>Cosine annealing to <see cref="ScheduleRecipe.MinLr"/>.</summary>
    Cosine,
    /// <summary>Multiply by gamma at each milestone.</summary>
    MultiStep,
    /// <summary>One-cycle.</summary>
    OneCycle,
    /// <summary>ReduceLROnPlateau on the monitored metric (OTX for Lite-HRNet).</summary>
    Plateau,
}

/// <summary>The <c>schedule:</c> section.</summary>
public sealed class ScheduleRecipe
{
    /// <summary>Which schedule.</summary>
    public ScheduleKind Kind { get; set; } = ScheduleKind.Poly;

    /// <summary>Linear warm-up steps in front of it (OTX: 100), 0 for none.</summary>
    public long WarmupSteps { get; set; }

    /// <summary>The warm-up's first rate as a fraction of the base rate.</summary>
    public double WarmupStartFactor { get; set; } = 0.001;

    /// <summary>Polynomial power.</summary>
    public double Power { get; set; } = 0.9;

    /// <summary>The floor of polynomial and cosine decay.</summary>
    public double MinLr { get; set; }

    /// <summary>Multi-step milestones (steps).</summary>
    public IReadOnlyList<long>? Milestones { get; set; }

    /// <summary>Multi-step factor.</summary>
    public double Gamma { get; set; } = 0.1;

    /// <summary>Plateau: factor.</summary>
    public double Factor { get; set; } = 0.5;

    /// <summary>Plateau: validations without improvement before reducing.</summary>
    public int Patience { get; set; } = 3;

    /// <summary>Plateau: validations to wait after a reduction.</summary>
    public int Cooldown { get; set; }
}

/// <summary>The <c>trainer:</c> section.</summary>
public sealed class TrainerRecipe
{
    /// <summary>Epochs (one of epochs and steps).</summary>
    public int? Epochs { get; set; }

    /// <summary>Optimizer steps (one of epochs and steps).</summary>
    public long? Steps { get; set; }

    /// <summary>Gradient accumulation.</summary>
    public int Accumulation { get; set; } = 1;

    /// <summary>Gradient-norm clipping, or null.</summary>
    public double? ClipGradNorm { get; set; }

    /// <summary>bfloat16 autocast.</summary>
    public bool Bf16 { get; set; }

    /// <summary>EMA decay, or null for none.</summary>
    public double? EmaDecay { get; set; }

    /// <summary>Seed.</summary>
    public ulong Seed { get; set; }

    /// <summary>Log every N steps.</summary>
    public int LogEvery { get; set; } = 10;

    /// <summary>Validate every N steps (0: each epoch).</summary>
    public long ValidateEvery { get; set; }

    /// <summary>Write the last checkpoint every N steps (0: at validations).</summary>
    public long CheckpointEvery { get; set; }

    /// <summary>The metric that selects the best checkpoint.</summary>
    public string Monitor { get; set; } = "mIoU";

    /// <summary>Early stopping, or null.</summary>
    public EarlyStoppingRecipe? EarlyStopping { get; set; }
}

/// <summary>The <c>trainer.early_stopping:</c> section.</summary>
public sealed class EarlyStoppingRecipe
{
    /// <summary>Validations without improvement.</summary>
    public int Patience { get; set; } = 5;

    /// <summary>Smallest improvement.</summary>
    public double MinDelta { get; set; }

    /// <summary>Steps before which it never stops.</summary>
    public long MinSteps { get; set; }
}
