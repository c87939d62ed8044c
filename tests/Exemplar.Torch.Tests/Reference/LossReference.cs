using System.Text.Json;
using System.Text.Json.Serialization;

namespace Exemplar.Torch.Tests.Reference;

/// <summary>The values make_loss_reference.py wrote from PyTorch 1.13 (loss_reference.json, copied beside the tests).</summary>
public sealed record LossReference(
    [property: JsonPropertyName("torch_version")] string TorchVersion,
    [property: JsonPropertyName("cases")] IReadOnlyList<LossCase> Cases)
{
    /// <summary>The reference, read once.</summary>
    public static LossReference Instance { get; } = JsonSerializer.Deserialize<LossReference>(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "loss_reference.json")))!;

    /// <summary>The case called <paramref name="name"/>.</summary>
    public LossCase Case(string name) => Cases.Single(c => c.Name == name);
}

/// <summary>
/// One loss evaluation: float32 inputs, the float64 value and d(value)/d(logits), and for an unreduced loss the upstream
/// gradient that was back-propagated.
/// </summary>
public sealed record LossCase(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("options")] LossCaseOptions Options,
    [property: JsonPropertyName("logits")] float[] Logits,
    [property: JsonPropertyName("logits_shape")] long[] LogitsShape,
    [property: JsonPropertyName("target")] double[] Target,
    [property: JsonPropertyName("target_shape")] long[] TargetShape,
    [property: JsonPropertyName("value")] double[] Value,
    [property: JsonPropertyName("value_shape")] long[] ValueShape,
    [property: JsonPropertyName("grad")] double[] Grad,
    [property: JsonPropertyName("grad_output")] float[]? GradOutput)
{
    /// <summary>Whether the target holds class ids (int64) rather than float probabilities.</summary>
    public bool HasClassTargets => Kind is "cross_entropy" or "multiclass_dice" or "focal";

    /// <summary>The target as the loss takes it: int64 class ids or float32 values.</summary>
    public Tensor TargetTensor() => HasClassTargets
        ? Tensor.From(Target.Select(v => (long)v).ToArray(), TargetShape)
        : Tensor.From(Target.Select(v => (float)v).ToArray(), TargetShape);
}

/// <summary>A case's options; each loss reads the ones it has.</summary>
public sealed record LossCaseOptions(
    [property: JsonPropertyName("reduction")] string? Reduction,
    [property: JsonPropertyName("ignore_index")] long? IgnoreIndex,
    [property: JsonPropertyName("class_weights")] float[]? ClassWeights,
    [property: JsonPropertyName("label_smoothing")] double? LabelSmoothing,
    [property: JsonPropertyName("weight")] float[]? Weight,
    [property: JsonPropertyName("weight_shape")] long[]? WeightShape,
    [property: JsonPropertyName("pos_weight")] float[]? PosWeight,
    [property: JsonPropertyName("pos_weight_shape")] long[]? PosWeightShape,
    [property: JsonPropertyName("smooth")] double? Smooth,
    [property: JsonPropertyName("alpha")] double? Alpha,
    [property: JsonPropertyName("gamma")] double? Gamma)
{
    /// <summary>The reduction, as <see cref="Torch.Reduction"/>.</summary>
    public Reduction ReductionValue => Reduction switch
    {
        "none" => Torch.Reduction.None,
        "sum" => Torch.Reduction.Sum,
        "mean" => Torch.Reduction.Mean,
        _ => throw new InvalidOperationException($"unknown reduction '{Reduction}'"),
    };
}
