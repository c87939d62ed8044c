using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Masks;

namespace Exemplar.Vision.Visualization;

/// <summary>Paints label maps over images: a colour per class, alpha-blended, with optional region contours.</summary>
public static class MaskOverlay
{
    /// <summary>
    /// <paramref name="image"/> (<c>[3, H, W]</c>, <c>[1, H, W]</c> or <c>[H, W]</c> uint8; gray is repeated to RGB)
    /// with <paramref name="labels"/> (<c>[H, W]</c> or <c>[1, H, W]</c>, any integer or bool type) painted over it:
    /// every painted pixel becomes round((1 − α)·pixel + α·colour), and contour pixels (see <see cref="Contours"/>)
    /// take the class colour itself (or black or white, see <see cref="OverlayOptions.ContrastContours"/>). Returns
    /// <c>[3, H, W]</c> uint8.
    /// </summary>
    public static Tensor Draw(Tensor image, Tensor labels, OverlayOptions? options = null)
    {
        options ??= OverlayOptions.Default;
        options.Validate();
        MaskValidation.EnsureSameSize(image, labels);
        var (rgb, height, width) = RgbPlanes(image);
        long[] ids = LabelValues(labels);
        bool[]? contour = options.DrawContours ? ContourPixels(ids, height, width, options) : null;
        var palette = options.Colors;
        int n = height * width;
        for (int i = 0; i < n; i++)
        {
            if (!options.Paints(ids[i])) continue;
            var color = palette[(int)(((ids[i] % 256) + 256) % 256)];
            bool edge = contour is not null && contour[i];
            if (edge && options.ContrastContours)
            {
                // ITU-R 601 luma of the pixel underneath, in integers.
                byte shade = (299 * rgb[i] + 587 * rgb[n + i] + 114 * rgb[2 * n + i]) / 1000 < 128 ? (byte)255 : (byte)0;
                color = new Rgba32(shade, shade, shade);
            }
            double a = edge ? 1 : options.Alpha;
            rgb[i] = Blend(rgb[i], color.R, a);
            rgb[n + i] = Blend(rgb[n + i], color.G, a);
            rgb[2 * n + i] = Blend(rgb[2 * n + i], color.B, a);
        }
        return Tensor.From(rgb, 3, height, width);
    }

    /// <summary>
    /// The contour of every painted region: <c>[H, W]</c> bool, true at a painted pixel whose left, right, upper or lower
    /// neighbour (inside the image) has another label. Pixels on the image border are not contour by themselves.
    /// </summary>
    public static Tensor Contours(Tensor labels, OverlayOptions? options = null)
    {
        var (_, height, width) = ImageTensors.ShapeOf(labels, nameof(labels));
        return Tensor.From(ContourPixels(LabelValues(labels), height, width, options ?? OverlayOptions.Default), height, width);
    }

    /// <summary>round((1 − a)·value + a·color), halves away from zero.</summary>
    internal static byte Blend(byte value, byte color, double a) =>
        (byte)Math.Round((1 - a) * value + a * color, MidpointRounding.AwayFromZero);

    private static bool[] ContourPixels(long[] ids, int height, int width, OverlayOptions options)
    {
        var contour = new bool[ids.Length];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                long id = ids[i];
                if (!options.Paints(id)) continue;
                contour[i] = (x > 0 && ids[i - 1] != id) || (x < width - 1 && ids[i + 1] != id)
                    || (y > 0 && ids[i - width] != id) || (y < height - 1 && ids[i + width] != id);
            }
        }
        return contour;
    }

    /// <summary>The image as RGB planes (a copy), with its size.</summary>
    internal static (byte[] Rgb, int Height, int Width) RgbPlanes(Tensor image)
    {
        var (channels, height, width) = ImageTensors.ShapeOf(image, nameof(image));
        ImageTensors.RequireDType(image, DType.UInt8, nameof(image));
        var values = image.ToArray<byte>();
        if (channels == 3) return (values, height, width);
        if (channels != 1) throw new ArgumentException($"expected a gray or RGB image, got {channels} channels", nameof(image));
        var rgb = new byte[3 * values.Length];
        for (int c = 0; c < 3; c++) values.CopyTo(rgb, c * values.Length);
        return (rgb, height, width);
    }

    internal static long[] LabelValues(Tensor labels)
    {
        if (labels.DType.IsFloatingPoint()) throw new ArgumentException($"labels are integers (or bool), not {labels.DType}", nameof(labels));
        using var asLong = labels.To(DType.Int64);
        return asLong.ToArray<long>();
    }
}
