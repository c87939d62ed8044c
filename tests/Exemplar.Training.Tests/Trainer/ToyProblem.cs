using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Exemplar.Training.Losses;
using Exemplar.Training.Trainer;

namespace Exemplar.Training.Tests.Trainer;

/// <summary>A batch of the toy problem: inputs [B, 4, 6, 6] and labels [B, 6, 6] of 3 classes.</summary>
public sealed record ToyBatch(Tensor Inputs, Tensor Labels) : IDisposable
{
    public void Dispose()
    {
        Inputs.Dispose();
        Labels.Dispose();
    }
}

/// <summary>
/// A tiny segmentation problem with everything a real run has: batch norm (buffers), dropout (random draws each
/// step), data whose batches depend on (epoch, index) only.
/// </summary>
public sealed class ToyNetwork : Module<Tensor, Tensor>
{
    public ToyNetwork(bool batchNorm = true, double dropout = 0.3)
    {
        Body = RegisterModule("body", batchNorm
            ? new Sequential(new Conv2d(4, 8, 3, padding: 1), new BatchNorm2d(8), new Activation(ActivationKind.Relu), new Dropout(dropout))
            : new Sequential(new Conv2d(4, 8, 3, padding: 1), new Activation(ActivationKind.Relu), new Dropout(dropout)));
        Classifier = RegisterModule("classifier", new Conv2d(8, 3, 1));
    }

    public Sequential Body { get; }

    public Conv2d Classifier { get; }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Begin();
        return Classifier.Forward(Body.Forward(input)).MoveToOuterScope();
    }

    /// <summary>A network with weights drawn from <paramref name="seed"/>.</summary>
    public static ToyNetwork Create(ulong seed, bool batchNorm = true, double dropout = 0.3)
    {
        LibTorch.ManualSeed(seed);
        return new ToyNetwork(batchNorm, dropout);
    }

    /// <summary>Every state tensor's values, for bit-for-bit comparison.</summary>
    public static Dictionary<string, float[]> Snapshot(Module model)
    {
        using var scope = DisposeScope.Begin();
        return model.StateDict().Where(kv => kv.Value.DType == DType.Float32).ToDictionary(kv => kv.Key, kv => kv.Value.Contiguous().ToArray<float>());
    }
}

/// <summary>Batches generated from (epoch, index): labels are a function of the inputs, so the network can learn.</summary>
public sealed class ToyData(int batches, int batchSize = 4) : ITrainingData<ToyBatch>
{
    public int BatchesPerEpoch => batches;

    public IEnumerable<ToyBatch> ReadEpoch(int epoch, int firstBatch, CancellationToken cancellation)
    {
        for (int b = firstBatch; b < batches; b++) yield return Make(epoch, b, batchSize);
    }

    public static ToyBatch Make(int epoch, int index, int batchSize)
    {
        using var generator = new Generator((ulong)(epoch * 1000 + index + 1));
        using var scope = DisposeScope.Begin();
        var inputs = Tensor.Randn([batchSize, 4, 6, 6], generator: generator);
        var labels = inputs.Narrow(1, 0, 3).Argmax(1);
        return new ToyBatch(inputs.DetachFromScope(), labels.DetachFromScope());
    }
}

/// <summary>Cross-entropy of the network on a toy batch.</summary>
public sealed class ToyObjective(ToyNetwork network) : ITrainingObjective<ToyBatch>
{
    public LossTerms Loss(ToyBatch batch)
    {
        using var scope = DisposeScope.Begin();
        var loss = Functional.CrossEntropy(network.Forward(batch.Inputs), batch.Labels).MoveToOuterScope();
        return new LossTerms(loss, new Dictionary<string, double>());
    }
}

/// <summary>Pixel accuracy on a fixed batch ("acc"), or a scripted sequence of values.</summary>
public sealed class ToyValidator(ToyNetwork network, IReadOnlyList<double>? script = null) : IValidator
{
    private int _calls;

    public int Calls => _calls;

    public IReadOnlyDictionary<string, double> Validate(CancellationToken cancellation)
    {
        int call = _calls++;
        if (script is not null) return new Dictionary<string, double> { ["acc"] = script[Math.Min(call, script.Count - 1)] };
        using var batch = ToyData.Make(999, 0, 8);
        using var scope = DisposeScope.Begin();
        var correct = network.Forward(batch.Inputs).Argmax(1).Eq(batch.Labels).To(DType.Float64).Mean();
        return new Dictionary<string, double> { ["acc"] = correct.Item<double>() };
    }
}

/// <summary>Cancels a run once it has logged a given step (a process killed mid-run).</summary>
public sealed class StopAfter(long step, CancellationTokenSource source) : ITrainerCallback
{
    public void OnStep(StepRecord record)
    {
        if (record.Step >= step) source.Cancel();
    }
}

/// <summary>Remembers every record.</summary>
public sealed class Recorder : ITrainerCallback
{
    public List<StepRecord> Steps { get; } = [];

    public List<ValidationRecord> Validations { get; } = [];

    public TrainingSummary? Summary { get; private set; }

    public void OnStep(StepRecord record) => Steps.Add(record);

    public void OnValidation(ValidationRecord record) => Validations.Add(record);

    public void OnEnd(TrainingSummary summary) => Summary = summary;
}
