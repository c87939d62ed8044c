using System.Text.Json;
using System.Text.Json.Serialization;
using Exemplar.Torch;
using Exemplar.Training.Losses;

namespace Exemplar.Training.Tests.Losses;

/// <summary>
/// The 'segmentation' section of loss_reference.json (written by tests/Exemplar.Torch.Tests/Reference/make_loss_reference.py
/// from PyTorch 1.13): one batch of logits and labels, and weighted sums of its losses with their gradients.
/// </summary>
public sealed record SegmentationLossReference(
    [property: JsonPropertyName("logits")] float[] Logits,
    [property: JsonPropertyName("logits_shape")] long[] LogitsShape,
    [property: JsonPropertyName("target")] long[] Target,
    [property: JsonPropertyName("target_shape")] long[] TargetShape,
    [property: JsonPropertyName("cases")] IReadOnlyList<SegmentationLossCase> Cases)
{
    /// <summary>The section, read once.</summary>
    public static SegmentationLossReference Instance { get; } = JsonSerializer.Deserialize<Root>(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "loss_reference.json")))!.Segmentation;

    /// <summary>The case called <paramref name="name"/>.</summary>
    public SegmentationLossCase Case(string name) => Cases.Single(c => c.Name == name);

    private sealed record Root([property: JsonPropertyName("segmentation")] SegmentationLossReference Segmentation);
}

/// <summary>One weighting: its options, the unweighted terms, the total and d(total)/d(logits).</summary>
public sealed record SegmentationLossCase(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("options")] SegmentationCaseOptions Options,
    [property: JsonPropertyName("terms")] IReadOnlyDictionary<string, double> Terms,
    [property: JsonPropertyName("total")] double Total,
    [property: JsonPropertyName("grad")] double[] Grad);

/// <summary>The options as the script wrote them (the names of <see cref="SegmentationLossOptions"/>, in snake case).</summary>
public sealed record SegmentationCaseOptions(
    [property: JsonPropertyName("cross_entropy_weight")] double CrossEntropyWeight,
    [property: JsonPropertyName("dice_weight")] double DiceWeight,
    [property: JsonPropertyName("focal_weight")] double FocalWeight,
    [property: JsonPropertyName("focal_gamma")] double FocalGamma,
    [property: JsonPropertyName("ignore_index")] long IgnoreIndex,
    [property: JsonPropertyName("label_smoothing")] double LabelSmoothing,
    [property: JsonPropertyName("class_weights")] double[]? ClassWeights,
    [property: JsonPropertyName("dice_smooth")] double DiceSmooth)
{
    /// <summary>The same options for <see cref="SegmentationLoss"/>.</summary>
    public SegmentationLossOptions ToOptions() => new()
    {
        CrossEntropyWeight = CrossEntropyWeight,
        DiceWeight = DiceWeight,
        FocalWeight = FocalWeight,
        FocalGamma = FocalGamma,
        IgnoreIndex = IgnoreIndex,
        LabelSmoothing = LabelSmoothing,
        ClassWeights = ClassWeights,
        DiceSmooth = DiceSmooth,
    };
}
