using Exemplar.Torch;
using Exemplar.Training.Optim;
using Exemplar.Training.Schedules;

namespace Exemplar.Training.Tests.Reference;

/// <summary>The optimizers and schedules of make_reference.py, by name, built with this library's typed options.</summary>
internal static class ReferenceSetups
{
    public static readonly TheoryData<string> OptimizerNames = new(PyTorchReference.Instance.Optimizers.Select(o => o.Name));
    public static readonly TheoryData<string> ScheduleNames = new(PyTorchReference.Instance.Schedules.Select(s => s.Name));

    private static ParameterGroup[] Two(Tensor w, Tensor b, double lr0, double wd0, double lr1, double wd1) =>
        [new([w], lr0, wd0), new([b], lr1, wd1)];

    /// <summary>The optimizer of run <paramref name="name"/> over the weight and the bias (one group each).</summary>
    public static Optimizer Optimizer(string name, Tensor w, Tensor b) => name switch
    {
        "sgd" => new Sgd([new ParameterGroup([w]), new ParameterGroup([b], LearningRate: 0.05)], new SgdOptions { LearningRate = 0.1 }),
        "sgd_momentum_dampening_decay" => new Sgd(Two(w, b, 0.05, 5e-3, 0.1, 0),
            new SgdOptions { LearningRate = 0.05, Momentum = 0.8, Dampening = 0.3, WeightDecay = 5e-3 }),
        "sgd_nesterov_decay" => new Sgd(Two(w, b, 0.05, 1e-2, 0.1, 0),
            new SgdOptions { LearningRate = 0.05, Momentum = 0.9, Nesterov = true, WeightDecay = 1e-2 }),
        "adam" => new Adam(Two(w, b, 0.01, 1e-3, 0.02, 0), new AdamOptions { LearningRate = 0.01 }),
        "adam_amsgrad" => new Adam(Two(w, b, 0.05, 0, 0.03, 0),
            new AdamOptions { LearningRate = 0.05, Beta1 = 0.8, Beta2 = 0.99, Eps = 1e-6, AmsGrad = true }),
        "adamw" => new AdamW(Two(w, b, 0.01, 0.1, 0.02, 0), new AdamWOptions { LearningRate = 0.01, WeightDecay = 0.1 }),
        "adamw_amsgrad" => new AdamW(Two(w, b, 0.02, 0.05, 0.02, 0), new AdamWOptions { LearningRate = 0.02, AmsGrad = true }),
        "adamw_warmup_cosine" => new AdamW(Two(w, b, 0.02, 0.05, 0.04, 0), new AdamWOptions { LearningRate = 0.02, WeightDecay = 0.05 }),
        "sgd_onecycle" => new Sgd(Two(w, b, 0.1, 0, 0.1, 0), new SgdOptions { LearningRate = 0.1, Momentum = 0.9 }),
        _ => throw new ArgumentException($"no optimizer setup named {name}", nameof(name)),
    };

    /// <summary>The schedule that drives optimizer run <paramref name="name"/>, if any.</summary>
    public static LearningRateSchedule? OptimizerSchedule(string name, Optimizer o) => name switch
    {
        "adamw_warmup_cosine" => new LinearWarmup(new CosineAnnealingSchedule(o, new() { Steps = 45, MinLearningRate = 1e-4 }),
            new() { Steps = 5, StartFactor = 0.1 }),
        "sgd_onecycle" => new OneCycleSchedule(o, new() { MaxLearningRates = [0.2, 0.1], TotalSteps = 50 }),
        _ => null,
    };

    /// <summary>The optimizer the schedule runs use: two one-element groups at rates 0.1 and 0.02 (SGD with momentum 0.9, or Adam).</summary>
    public static Optimizer ScheduleOptimizer(string scheduleName, Tensor p, Tensor q) => scheduleName.EndsWith("_adam", StringComparison.Ordinal)
        ? new Adam([new ParameterGroup([p], 0.1), new ParameterGroup([q], 0.02)], new AdamOptions { LearningRate = 0.1 })
        : new Sgd([new ParameterGroup([p], 0.1), new ParameterGroup([q], 0.02)], new SgdOptions { LearningRate = 0.1, Momentum = 0.9 });

    /// <summary>The schedule of run <paramref name="name"/>.</summary>
    public static LearningRateSchedule Schedule(string name, Optimizer o) => name switch
    {
        "constant" => new ConstantSchedule(o, new() { Factor = 0.5, Steps = 7 }),
        "step" => new StepSchedule(o, new() { StepSize = 7, Gamma = 0.5 }),
        "multistep" => new MultiStepSchedule(o, new() { Milestones = [5, 12, 12, 30], Gamma = 0.3 }),
        "exponential" => new ExponentialSchedule(o, new(0.93)),
        "cosine" => new CosineAnnealingSchedule(o, new() { Steps = 40, MinLearningRate = 1e-3 }),
        "cosine_no_floor" => new CosineAnnealingSchedule(o, new() { Steps = 50 }),
        "polynomial" => new PolynomialSchedule(o, new() { Steps = 40, Power = 0.9 }),
        "polynomial_end_lr_mmcv" => new PolynomialSchedule(o, new() { Steps = 40, Power = 0.9, EndLearningRate = 1e-4 }),
        "onecycle" => new OneCycleSchedule(o, new() { MaxLearningRates = [0.5, 0.1], TotalSteps = 50 }),
        "onecycle_three_phase_linear_adam" => new OneCycleSchedule(o, new()
        {
            MaxLearningRates = [0.3], TotalSteps = 40, PctStart = 0.25, Annealing = Annealing.Linear, ThreePhase = true,
            DivFactor = 10, FinalDivFactor = 100,
        }),
        "plateau_min_rel" => new ReduceLrOnPlateau(o, new()
        {
            Mode = PlateauMode.Min, Factor = 0.5, Patience = 2, Threshold = 1e-2, Cooldown = 1, MinLearningRates = [0.01, 0.001],
        }),
        "plateau_max_abs" => new ReduceLrOnPlateau(o, new()
        {
            Mode = PlateauMode.Max, Factor = 0.3, Patience = 1, Threshold = 0.01, ThresholdMode = ThresholdMode.Absolute, Eps = 1e-4,
        }),
        "warmup_cosine" => new LinearWarmup(new CosineAnnealingSchedule(o, new() { Steps = 30, MinLearningRate = 1e-4 }),
            new() { Steps = 5, StartFactor = 0.1 }),
        "warmup_polynomial" => new LinearWarmup(new PolynomialSchedule(o, new() { Steps = 40, Power = 0.9 }),
            new() { Steps = 10, StartFactor = 0.001 }),
        "warmup_plateau" => new LinearWarmup(new ReduceLrOnPlateau(o, new() { Factor = 0.5, Patience = 1 }),
            new() { Steps = 4, StartFactor = 0.25 }),
        _ => throw new ArgumentException($"no schedule setup named {name}", nameof(name)),
    };
}
