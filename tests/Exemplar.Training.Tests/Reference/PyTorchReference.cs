using System.Text.Json;
using System.Text.Json.Serialization;
using Exemplar.Torch;

namespace Exemplar.Training.Tests.Reference;

/// <summary>The values make_reference.py wrote from PyTorch 1.13 (reference.json, copied beside the tests).</summary>
public sealed record PyTorchReference(
    [property: JsonPropertyName("torch_version")] string TorchVersion,
    [property: JsonPropertyName("problem")] ReferenceProblem Problem,
    [property: JsonPropertyName("optimizers")] IReadOnlyList<OptimizerRun> Optimizers,
    [property: JsonPropertyName("schedules")] IReadOnlyList<ScheduleRun> Schedules)
{
    /// <summary>The reference, read once (its PyTorch version is checked by <c>ReferenceTests</c>).</summary>
    public static PyTorchReference Instance { get; } = JsonSerializer.Deserialize<PyTorchReference>(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "reference.json")))!;

    /// <summary>The optimizer run called <paramref name="name"/>.</summary>
    public OptimizerRun Optimizer(string name) => Optimizers.Single(o => o.Name == name);

    /// <summary>The schedule run called <paramref name="name"/>.</summary>
    public ScheduleRun Schedule(string name) => Schedules.Single(s => s.Name == name);
}

/// <summary>The least-squares problem: inputs, targets and the initial weight and bias (float32 values).</summary>
public sealed record ReferenceProblem(
    [property: JsonPropertyName("x")] float[] X,
    [property: JsonPropertyName("x_shape")] long[] XShape,
    [property: JsonPropertyName("y")] float[] Y,
    [property: JsonPropertyName("y_shape")] long[] YShape,
    [property: JsonPropertyName("w")] float[] W,
    [property: JsonPropertyName("w_shape")] long[] WShape,
    [property: JsonPropertyName("b")] float[] B)
{
    /// <summary>Fresh trainable copies of the initial weight and bias.</summary>
    public (Tensor Weight, Tensor Bias) InitialParameters() =>
        (Tensor.From(W, WShape).RequiresGrad_(), Tensor.From(B, B.Length).RequiresGrad_());

    /// <summary>mean((x·Wᵀ + b − y)²), as the script computes it.</summary>
    public Tensor Loss(Tensor weight, Tensor bias)
    {
        using var scope = DisposeScope.Begin();
        using var x = Tensor.From(X, XShape);
        using var y = Tensor.From(Y, YShape);
        return (Functional.Linear(x, weight, bias) - y).Square().Mean().MoveToOuterScope();
    }
}

/// <summary>One optimizer's 50 steps: the weight then the bias, flattened, after each step, and the rates each step used.</summary>
public sealed record OptimizerRun(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("trajectory")] IReadOnlyList<float[]> Trajectory,
    [property: JsonPropertyName("lrs")] IReadOnlyList<double[]> LearningRates);

/// <summary>One schedule's rates (and momentum) per group at every step, and the metrics it was given.</summary>
public sealed record ScheduleRun(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("lrs")] IReadOnlyList<double[]> LearningRates,
    [property: JsonPropertyName("momentum")] IReadOnlyList<double[]>? Momentum,
    [property: JsonPropertyName("metrics")] double[]? Metrics);
