using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.Segmentation;

/// <summary>
/// A supervised semantic-segmentation network: a normalised image [N, 3, H, W] (see <see cref="Preprocessing"/>) →
/// class logits [N, <see cref="ClassCount"/>, H, W] at the input's resolution, so that a loss or an argmax applies to
/// the label map directly.
/// </summary>
public abstract class SegmentationNetwork : Module<Tensor, Tensor>
{
    /// <summary>Number of classes C (the logits' channels).</summary>
    public abstract int ClassCount { get; }

    /// <summary>What inputs it expects (mean/std normalisation; H and W multiples of <see cref="Preprocessing.SizeMultiple"/>).</summary>
    public abstract Preprocessing Preprocessing { get; }

    /// <summary>
    /// Parameters the network holds but never uses (an encoder's classification head kept so that its ImageNet file
    /// maps onto it): not counted in its complexity.
    /// </summary>
    public virtual IEnumerable<Tensor> UnusedParameters() => [];

    /// <summary>Refuses an input that is not [N, 3, H, W] with H and W multiples of the size multiple.</summary>
    /// <exception cref="ArgumentException">The message gives the shape and what is expected.</exception>
    protected void CheckImage(Tensor image)
    {
        var shape = image.Shape;
        int multiple = Preprocessing.SizeMultiple;
        if (shape.Length != 4 || shape[1] != 3 || shape[2] % multiple != 0 || shape[3] % multiple != 0)
        {
            throw new ArgumentException(
                $"{GetType().Name} takes images [N, 3, H, W] with H and W multiples of {multiple}, got [{string.Join(", ", shape)}]", nameof(image));
        }
    }
}
