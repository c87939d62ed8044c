using Exemplar.Models.Quantization;

namespace Exemplar.Models.Segmentation;

/// <summary>
/// What a supervised segmentation model file records besides its weights: enough to rebuild the network, name its
/// outputs and prepare its inputs without the recipe or data set it was trained with.
/// </summary>
/// <param name="Model">The <see cref="SegmentationZoo"/> network's name, e.g. lraspp_mobilenetv2.</param>
/// <param name="Classes">Class names by id: logit channel c is class <c>Classes[c]</c>.</param>
/// <param name="IgnoreLabel">The label map value that was not scored in training (e.g. 255).</param>
/// <param name="Mean">Per-channel RGB mean in [0, 1] the inputs are normalised with.</param>
/// <param name="Std">Per-channel standard deviation.</param>
/// <param name="SizeMultiple">Input height and width must be multiples of this.</param>
/// <param name="TrainedOn">The training data set's name, or null when unknown.</param>
/// <param name="Recipe">The recipe file it was trained with, or null.</param>
/// <param name="Quantization">
/// For an int8 model (post-training or quantisation-aware): every quantised convolution's activation ranges; its
/// weights are then in the folded layout <see cref="NetworkQuantization.Prepare"/> makes (batch norms folded into the
/// convolutions). Null for a float model.
/// </param>
public sealed record SegmentationModelInfo(
    string Model,
    IReadOnlyList<string> Classes,
    long IgnoreLabel,
    IReadOnlyList<double> Mean,
    IReadOnlyList<double> Std,
    int SizeMultiple,
    string? TrainedOn = null,
    string? Recipe = null,
    IReadOnlyDictionary<string, QuantizationRanges>? Quantization = null)
{
    /// <summary>The description of <paramref name="network"/> as built by zoo network <paramref name="model"/>, with its own preprocessing.</summary>
    public static SegmentationModelInfo For(string model, SegmentationNetwork network, IReadOnlyList<string> classes, long ignoreLabel,
        string? trainedOn = null, string? recipe = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        var p = network.Preprocessing;
        return new SegmentationModelInfo(model, classes, ignoreLabel, p.Mean, p.Std, p.SizeMultiple, trainedOn, recipe);
    }
}
