using Exemplar.Torch;
using Exemplar.Vision.IO;

namespace Exemplar.Vision.Visualization;

/// <summary>Titles above pictures and class legends below them, in a small built-in bitmap font.</summary>
public static class Captions
{
    private static readonly Rgba32 Bar = new(32, 32, 32), Text = new(255, 255, 255);

    /// <summary>
    /// <paramref name="image"/> (<c>[3, H, W]</c>, <c>[1, H, W]</c> or <c>[H, W]</c> uint8) with a dark bar above it
    /// holding <paramref name="title"/> in white (clipped to the width). Returns <c>[3, H + bar, W]</c> uint8.
    /// </summary>
    public static Tensor AddTitle(Tensor image, string title)
    {
        var (rgb, height, width) = MaskOverlay.RgbPlanes(image);
        int scale = TextScale(height, width), pad = 2 * scale;
        int bar = BitmapFont.GlyphHeight * scale + 2 * pad;
        var (canvas, total) = Extend(rgb, height, width, bar, above: true);
        BitmapFont.Draw(canvas, total, width, pad, pad, title, Text, scale);
        return Tensor.From(canvas, 3, total, width);
    }

    /// <summary>
    /// <paramref name="image"/> with a legend bar below it: for class i (label i + 1) a swatch of its overlay colour
    /// (<see cref="OverlayOptions.Palette"/>) and its name, wrapping onto more lines when needed. Returns
    /// <c>[3, H + legend, W]</c> uint8.
    /// </summary>
    public static Tensor AddLegend(Tensor image, IReadOnlyList<string> classNames, OverlayOptions? overlay = null)
    {
        overlay ??= OverlayOptions.Default;
        var (rgb, height, width) = MaskOverlay.RgbPlanes(image);
        int scale = TextScale(height, width), pad = 2 * scale, line = BitmapFont.GlyphHeight * scale + pad;
        // Lay the entries out first: (x, line) of each swatch.
        var places = new List<(int X, int Line)>();
        int x = pad, lines = 1;
        foreach (var name in classNames)
        {
            int entry = BitmapFont.GlyphHeight * scale + pad + BitmapFont.Measure(name, scale).Width;
            if (x > pad && x + entry > width - pad) (x, lines) = (pad, lines + 1);
            places.Add((x, lines - 1));
            x += entry + 3 * pad;
        }
        int bar = lines * line + pad;
        var (canvas, total) = Extend(rgb, height, width, bar, above: false);
        for (int c = 0; c < classNames.Count; c++)
        {
            var (left, row) = places[c];
            int top = height + pad + row * line, side = BitmapFont.GlyphHeight * scale;
            var color = overlay.Colors[(c + 1) % 256];
            if (left < width) ImageGrid.Fill(canvas, total, width, top, left, side, Math.Min(side, width - left), color);
            BitmapFont.Draw(canvas, total, width, left + side + pad, top, classNames[c], Text, scale);
        }
        return Tensor.From(canvas, 3, total, width);
    }

    /// <summary>Text grows with the picture's shorter side: 1 up to 250 pixels, 2 up to 500, …</summary>
    private static int TextScale(int height, int width) => Math.Max(1, (Math.Min(height, width) + 249) / 250);

    /// <summary>The image on a taller canvas, with a <paramref name="bar"/>-row band of the bar colour above or below.</summary>
    private static (byte[] Canvas, int Height) Extend(byte[] rgb, int height, int width, int bar, bool above)
    {
        int total = height + bar;
        var canvas = new byte[3 * total * width];
        ImageGrid.Fill(canvas, total, width, above ? 0 : height, 0, bar, width, Bar);
        int offset = above ? bar : 0;
        for (int c = 0; c < 3; c++) rgb.AsSpan(c * height * width, height * width).CopyTo(canvas.AsSpan((c * total + offset) * width));
        return (canvas, total);
    }
}
