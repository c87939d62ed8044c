using Exemplar.Torch;
using Exemplar.Vision.IO;

namespace Exemplar.Vision.Visualization;

/// <summary>Lays images out in rows and columns, separated by thin lines, as one RGB image.</summary>
public static class ImageGrid
{
    /// <summary>
    /// One <c>[3, H, W]</c> uint8 image of <paramref name="rows"/> of cells (each <c>[3, H, W]</c>, <c>[1, H, W]</c> or
    /// <c>[H, W]</c> uint8; gray is repeated to RGB). Rows may differ in length. Each column is as wide as its widest
    /// cell and each row as tall as its tallest; smaller cells sit top-left on the background colour.
    /// </summary>
    public static Tensor Compose(IReadOnlyList<IReadOnlyList<Tensor>> rows, GridOptions? options = null)
    {
        options ??= GridOptions.Default;
        if (options.Separator < 0) throw new ArgumentOutOfRangeException(nameof(options), options.Separator, "the separator width cannot be negative");
        if (rows.Count == 0 || rows.All(r => r.Count == 0)) throw new ArgumentException("the grid has no cells", nameof(rows));
        var cells = rows.Select(r => r.Select(MaskOverlay.RgbPlanes).ToArray()).ToArray();
        int columns = cells.Max(r => r.Length);
        var columnWidths = new int[columns];
        var rowHeights = new int[cells.Length];
        for (int r = 0; r < cells.Length; r++)
        {
            for (int c = 0; c < cells[r].Length; c++)
            {
                columnWidths[c] = Math.Max(columnWidths[c], cells[r][c].Width);
                rowHeights[r] = Math.Max(rowHeights[r], cells[r][c].Height);
            }
        }
        int gap = options.Separator;
        int width = columnWidths.Sum() + gap * (columns - 1);
        int height = rowHeights.Sum() + gap * (cells.Length - 1);
        var separator = options.SeparatorColor ?? new Rgba32(255, 255, 255);
        var background = options.Background ?? new Rgba32(0, 0, 0);
        var canvas = new byte[3 * height * width];
        Fill(canvas, height, width, 0, 0, height, width, separator);

        int top = 0;
        for (int r = 0; r < cells.Length; r++)
        {
            int left = 0;
            for (int c = 0; c < columns; c++)
            {
                Fill(canvas, height, width, top, left, rowHeights[r], columnWidths[c], background);
                if (c < cells[r].Length) Paste(canvas, height, width, top, left, cells[r][c]);
                left += columnWidths[c] + gap;
            }
            top += rowHeights[r] + gap;
        }
        return Tensor.From(canvas, 3, height, width);
    }

    internal static void Fill(byte[] canvas, int height, int width, int top, int left, int h, int w, Rgba32 color)
    {
        byte[] rgb = [color.R, color.G, color.B];
        for (int c = 0; c < 3; c++)
        {
            for (int y = top; y < top + h; y++) canvas.AsSpan((c * height + y) * width + left, w).Fill(rgb[c]);
        }
    }

    private static void Paste(byte[] canvas, int height, int width, int top, int left, (byte[] Rgb, int Height, int Width) cell)
    {
        for (int c = 0; c < 3; c++)
        {
            for (int y = 0; y < cell.Height; y++)
            {
                cell.Rgb.AsSpan((c * cell.Height + y) * cell.Width, cell.Width).CopyTo(canvas.AsSpan((c * height + top + y) * width + left));
            }
        }
    }
}
