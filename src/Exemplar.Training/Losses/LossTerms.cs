using Exemplar.Torch;

namespace Exemplar.Training.Losses;

/// <summary>
/// What <see cref="SegmentationLoss.Compute"/> returns: the weighted total to back-propagate and each computed term's
/// unweighted value for logging. Disposing it disposes <see cref="Total"/>.
/// </summary>
/// <param name="Total">Σ weight·term, a scalar tensor [] in the logits' dtype, attached to their graph.</param>
/// <param name="Values">The unweighted value of every term with a non-zero weight, by name (<see cref="CrossEntropy"/>, …).</param>
public sealed record LossTerms(Tensor Total, IReadOnlyDictionary<string, double> Values) : IDisposable
{
    /// <summary>The name of the cross-entropy term in <see cref="Values"/>.</summary>
    public const string CrossEntropy = "ce";

    /// <summary>The name of the Dice term in <see cref="Values"/>.</summary>
    public const string Dice = "dice";

    /// <summary>The name of the focal term in <see cref="Values"/>.</summary>
    public const string Focal = "focal";

    /// <summary>Disposes <see cref="Total"/>.</summary>
    public void Dispose() => Total.Dispose();
}
