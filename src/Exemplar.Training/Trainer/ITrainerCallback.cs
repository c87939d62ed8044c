namespace Exemplar.Training.Trainer;

/// <summary>What a run is about to do, given to <see cref="ITrainerCallback.OnStart"/>.</summary>
/// <param name="TotalSteps">Optimizer steps the run ends at.</param>
/// <param name="StepsPerEpoch">Optimizer steps in one epoch.</param>
/// <param name="StartStep">The step it starts from (0, or the resumed checkpoint's).</param>
/// <param name="RunDirectory">Where it writes checkpoints and logs, or null.</param>
public sealed record TrainingStart(long TotalSteps, long StepsPerEpoch, long StartStep, string? RunDirectory);

/// <summary>One logged optimizer step.</summary>
/// <param name="Step">Steps done, counting this one (1, 2, …).</param>
/// <param name="Epoch">The epoch the step's batches came from (0, 1, …).</param>
/// <param name="TotalSteps">Steps the run ends at.</param>
/// <param name="Loss">The mean loss of the steps since the previous logged step (each step's loss is the mean over its accumulated batches).</param>
/// <param name="Terms">The loss's terms, averaged the same way.</param>
/// <param name="LearningRate">The learning rate the step used (the first parameter group's).</param>
/// <param name="GradNorm">This step's gradients' total L2 norm before clipping.</param>
/// <param name="StepsPerSecond">Steps per second since the previous logged step.</param>
/// <param name="ElapsedSeconds">Training time in this process so far.</param>
public sealed record StepRecord(
    long Step, int Epoch, long TotalSteps, double Loss, IReadOnlyDictionary<string, double> Terms, double LearningRate,
    double GradNorm, double StepsPerSecond, double ElapsedSeconds)
{
    /// <summary>Estimated seconds to the end, at the current speed.</summary>
    public double EtaSeconds => StepsPerSecond > 0 ? (TotalSteps - Step) / StepsPerSecond : double.NaN;
}

/// <summary>One validation.</summary>
/// <param name="Step">Steps done when it ran.</param>
/// <param name="Epoch">The epoch of the last step.</param>
/// <param name="Metrics">Every metric by name.</param>
/// <param name="Monitored">The monitored metric's value.</param>
/// <param name="IsBest">Whether it is the best so far (the best checkpoint was written).</param>
/// <param name="StopsEarly">Whether early stopping ends the run here.</param>
public sealed record ValidationRecord(long Step, int Epoch, IReadOnlyDictionary<string, double> Metrics, double Monitored, bool IsBest, bool StopsEarly);

/// <summary>How a run ended.</summary>
/// <param name="Steps">Steps done.</param>
/// <param name="StoppedEarly">Whether early stopping ended it.</param>
/// <param name="BestValue">The best monitored value, or null when it never validated.</param>
/// <param name="BestStep">The step of the best value, or null.</param>
/// <param name="RunDirectory">Where it wrote, or null.</param>
public sealed record TrainingSummary(long Steps, bool StoppedEarly, double? BestValue, long? BestStep, string? RunDirectory);

/// <summary>
/// Hooks into a <see cref="Trainer{TBatch}"/>'s run: logging, plotting, progress. In a distributed run only rank 0
/// calls them. Every method has an empty default.
/// </summary>
public interface ITrainerCallback
{
    /// <summary>Before the first step (of this process: after a resume, the checkpoint's step).</summary>
    void OnStart(TrainingStart start) { }

    /// <summary>After every <see cref="TrainerOptions.LogEvery"/>-th step and the last.</summary>
    void OnStep(StepRecord record) { }

    /// <summary>After each validation.</summary>
    void OnValidation(ValidationRecord record) { }

    /// <summary>After the run, also when it stopped early (not when it failed or was cancelled).</summary>
    void OnEnd(TrainingSummary summary) { }
}
