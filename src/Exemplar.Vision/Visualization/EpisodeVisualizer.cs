using Exemplar.Torch;
using Exemplar.Vision.IO;

namespace Exemplar.Vision.Visualization;

/// <summary>One example image with its mask (<c>[3, H, W]</c> or <c>[1, H, W]</c> uint8 image, <c>[H, W]</c> labels).</summary>
/// <param name="Image">The example image.</param>
/// <param name="Mask">Its labels (binary or class ids).</param>
public readonly record struct AnnotatedImage(Tensor Image, Tensor Mask);

/// <summary>
/// Pictures of a segmentation-by-example episode: the examples with their masks, the target, the prediction and the
/// ground truth side by side, as one PNG-ready RGB image.
/// </summary>
public static class EpisodeVisualizer
{
    /// <summary>
    /// One row of cells: each example image with its mask painted over it, then the target image alone, the target
    /// with <paramref name="prediction"/> painted over it, and, when given, the target with
    /// <paramref name="groundTruth"/>. Returns <c>[3, H, W]</c> uint8.
    /// </summary>
    public static Tensor Render(IReadOnlyList<AnnotatedImage> examples, Tensor target, Tensor prediction, Tensor? groundTruth = null,
        OverlayOptions? overlay = null, GridOptions? grid = null)
    {
        using var scope = DisposeScope.Begin();
        var cells = new List<Tensor>();
        foreach (var example in examples) cells.Add(MaskOverlay.Draw(example.Image, example.Mask, overlay));
        cells.Add(target);
        cells.Add(MaskOverlay.Draw(target, prediction, overlay));
        if (groundTruth is not null) cells.Add(MaskOverlay.Draw(target, groundTruth, overlay));
        return ImageGrid.Compose([cells], grid).MoveToOuterScope();
    }

    /// <summary>Renders the episode (see <see cref="Render"/>) and writes it as a PNG file.</summary>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public static void Save(string path, IReadOnlyList<AnnotatedImage> examples, Tensor target, Tensor prediction, Tensor? groundTruth = null,
        bool overwrite = false, OverlayOptions? overlay = null, GridOptions? grid = null)
    {
        using var picture = Render(examples, target, prediction, groundTruth, overlay, grid);
        ImageWriter.WritePng(path, picture, overwrite);
    }
}
