using System.Globalization;
using Exemplar.Torch;
using Exemplar.Vision.IO;

namespace Exemplar.Vision.Visualization;

/// <summary>
/// A confusion matrix as a picture: one row per true class, one column per predicted class, each cell shaded by the
/// fraction of its row's pixels (white 0 → dark blue 1, with the percentage written in non-empty cells large enough);
/// rows are labelled "id name", columns by id. Rows without any true pixel are grey.
/// </summary>
public static class ConfusionMatrixPicture
{
    private static readonly Rgba32 Paper = new(255, 255, 255), Ink = new(0, 0, 0), Empty = new(200, 200, 200), Full = new(8, 48, 107);

    /// <summary>Draws <paramref name="matrix"/> ([truth, prediction] counts, C × C) → [3, H, W] uint8.</summary>
    /// <param name="matrix">Pixel counts, rows the true class, columns the predicted one.</param>
    /// <param name="classNames">Names of the C classes, by id.</param>
    /// <param name="title">A line above the matrix, or null for the default.</param>
    /// <exception cref="ArgumentException">The matrix is not square, or its size differs from the names'.</exception>
    public static Tensor Draw(long[,] matrix, IReadOnlyList<string> classNames, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(classNames);
        int c = matrix.GetLength(0);
        if (c == 0 || matrix.GetLength(1) != c) throw new ArgumentException($"a confusion matrix is square and not empty, got {matrix.GetLength(0)} × {matrix.GetLength(1)}", nameof(matrix));
        if (classNames.Count != c) throw new ArgumentException($"{classNames.Count} class names for a {c}-class confusion matrix", nameof(classNames));
        title ??= "rows: true class, columns: predicted class, % of the row";

        // Large cells for the usual 2-30 classes; smaller ones keep 150 classes (ADE20K) on a ~1500-pixel picture.
        int cell = c <= 20 ? 36 : Math.Max(8, 1080 / c);
        int scale = cell >= 20 ? 2 : 1, pad = 4 * scale;
        var labels = Enumerable.Range(0, c).Select(i => $"{i} {classNames[i]}").ToArray();
        int labelWidth = labels.Max(l => BitmapFont.Measure(l, scale).Width) + 2 * pad;
        int glyph = BitmapFont.GlyphHeight * scale;
        int titleHeight = glyph + 2 * pad, headerHeight = glyph + 2 * pad;
        int width = Math.Max(labelWidth + c * cell + pad, BitmapFont.Measure(title, scale).Width + 2 * pad);
        int height = titleHeight + headerHeight + c * cell + pad;
        var canvas = new byte[3 * height * width];
        ImageGrid.Fill(canvas, height, width, 0, 0, height, width, Paper);
        BitmapFont.Draw(canvas, height, width, pad, pad, title, Ink, scale);

        int top = titleHeight + headerHeight;
        for (int j = 0; j < c; j++)
        {
            string id = j.ToString(CultureInfo.InvariantCulture);
            int w = BitmapFont.Measure(id, scale).Width;
            if (w <= cell) BitmapFont.Draw(canvas, height, width, labelWidth + j * cell + (cell - w) / 2, titleHeight + pad, id, Ink, scale);
        }
        for (int i = 0; i < c; i++)
        {
            int y = top + i * cell;
            BitmapFont.Draw(canvas, height, width, pad, y + (cell - glyph) / 2, labels[i], Ink, scale);
            long total = 0;
            for (int j = 0; j < c; j++) total += matrix[i, j];
            for (int j = 0; j < c; j++)
            {
                int x = labelWidth + j * cell;
                double fraction = total == 0 ? double.NaN : (double)matrix[i, j] / total;
                var color = double.IsNaN(fraction) ? Empty : Mix(fraction);
                // A one-pixel white gap keeps the cells apart.
                ImageGrid.Fill(canvas, height, width, y, x, cell - 1, cell - 1, color);
                if (double.IsNaN(fraction) || matrix[i, j] == 0) continue; // blank, not "0", where nothing was predicted
                string percent = Math.Round(100 * fraction).ToString(CultureInfo.InvariantCulture);
                var (tw, th) = BitmapFont.Measure(percent, 1);
                if (tw + 2 <= cell && th + 2 <= cell)
                    BitmapFont.Draw(canvas, height, width, x + (cell - 1 - tw) / 2, y + (cell - 1 - th) / 2, percent, fraction < 0.5 ? Ink : Paper, 1);
            }
        }
        return Tensor.From(canvas, 3, height, width);
    }

    private static Rgba32 Mix(double t) => new(Lerp(Paper.R, Full.R, t), Lerp(Paper.G, Full.G, t), Lerp(Paper.B, Full.B, t));

    private static byte Lerp(byte a, byte b, double t) => (byte)Math.Round(a + (b - a) * Math.Clamp(t, 0, 1));
}
