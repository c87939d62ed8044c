using Exemplar.Torch;
using Exemplar.Vision.IO;

namespace Exemplar.Vision.Visualization;

/// <summary>One example image with its mask (<c>[3, H, W]</c> or <c>[1, H, W]</c> uint8 image, <c>[H, W]</c> labels).</summary>
/// <param name="Image">The example image.</param>
/// <param name="Mask">Its labels (binary or class ids).</param>
public readonly record struct AnnotatedImage(Tensor Image, Tensor Mask);

/// <summary>Titles and legend for <see cref="EpisodeVisualizer"/>.</summary>
/// <param name="ClassNames">Class i is label i + 1, drawn in the overlay palette's colour i + 1.</param>
/// <param name="PredictionTitle">The prediction cell's title (default "prediction"), e.g. with its score.</param>
public sealed record EpisodeCaptions(IReadOnlyList<string> ClassNames, string? PredictionTitle = null);

/// <summary>
/// Pictures of a segmentation-by-example episode: the examples with their masks, the target, the prediction and the
/// ground truth side by side, as one PNG-ready RGB image.
/// </summary>
public static class EpisodeVisualizer
{
    /// <summary>
    /// One row of cells: each example image with its mask painted over it, then the target image alone, the target
    /// with <paramref name="prediction"/> painted over it, and, when given, the target with
    /// <paramref name="groundTruth"/>. With <paramref name="captions"/>, each cell has a title and a legend of the
    /// class colours runs below the row. Returns <c>[3, H, W]</c> uint8.
    /// </summary>
    public static Tensor Render(IReadOnlyList<AnnotatedImage> examples, Tensor target, Tensor prediction, Tensor? groundTruth = null,
        OverlayOptions? overlay = null, GridOptions? grid = null, EpisodeCaptions? captions = null)
    {
        using var scope = DisposeScope.Begin();
        var cells = new List<(Tensor Cell, string Title)>();
        for (int k = 0; k < examples.Count; k++) cells.Add((MaskOverlay.Draw(examples[k].Image, examples[k].Mask, overlay), $"example {k + 1}"));
        cells.Add((target, "target"));
        cells.Add((MaskOverlay.Draw(target, prediction, overlay), captions?.PredictionTitle ?? "prediction"));
        if (groundTruth is not null) cells.Add((MaskOverlay.Draw(target, groundTruth, overlay), "ground truth"));
        var row = cells.Select(c => captions is null ? c.Cell : Captions.AddTitle(c.Cell, c.Title)).ToList();
        var picture = ImageGrid.Compose([row], grid);
        if (captions is not null) picture = Captions.AddLegend(picture, captions.ClassNames, overlay);
        return picture.MoveToOuterScope();
    }

    /// <summary>Renders the episode (see <see cref="Render"/>) and writes it as a PNG file.</summary>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public static void Save(string path, IReadOnlyList<AnnotatedImage> examples, Tensor target, Tensor prediction, Tensor? groundTruth = null,
        bool overwrite = false, OverlayOptions? overlay = null, GridOptions? grid = null, EpisodeCaptions? captions = null)
    {
        using var picture = Render(examples, target, prediction, groundTruth, overlay, grid, captions);
        ImageWriter.WritePng(path, picture, overwrite);
    }
}
