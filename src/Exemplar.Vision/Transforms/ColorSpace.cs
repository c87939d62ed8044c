using Exemplar.Torch;

namespace Exemplar.Vision.Transforms;

/// <summary>RGB ↔ HSV on float tensors, all components in [0, 1] (hue as a fraction of the full turn).</summary>
public static class ColorSpace
{
    /// <summary>
    /// Converts RGB [3, H, W] float (values in [0, 1]) to HSV [3, H, W] float: V = max, S = (max − min) / max (0 where
    /// max = 0), H from the dominant channel as in Python's <c>colorsys</c> (0 for greys).
    /// </summary>
    public static Tensor RgbToHsv(Tensor rgb)
    {
        CheckFloatRgb(rgb, nameof(rgb));
        using var scope = DisposeScope.Begin();
        var r = rgb.Select(0, 0);
        var g = rgb.Select(0, 1);
        var b = rgb.Select(0, 2);
        var max = rgb.Amax([0]);
        var min = -(-rgb).Amax([0]);
        var delta = max - min;
        var positiveMax = max.Gt(0);
        var chromatic = delta.Gt(0);
        var saturation = Tensor.Where(positiveMax, delta / Tensor.Where(positiveMax, max, 1.0), 0.0);
        var safeDelta = Tensor.Where(chromatic, delta, 1.0);
        var rc = (max - r) / safeDelta;
        var gc = (max - g) / safeDelta;
        var bc = (max - b) / safeDelta;
        // Red dominant: between yellow and magenta; green: cyan–yellow (+2 sextants); blue: magenta–cyan (+4).
        var hue = Tensor.Where(max.Eq(r), bc - gc, Tensor.Where(max.Eq(g), rc - bc + 2.0, gc - rc + 4.0));
        hue = Tensor.Where(chromatic, (hue / 6.0).Remainder(1.0), 0.0);
        return Tensor.Stack([hue, saturation, max], 0).MoveToOuterScope();
    }

    /// <summary>Converts HSV [3, H, W] float (components in [0, 1], hue taken modulo 1) to RGB [3, H, W] float.</summary>
    public static Tensor HsvToRgb(Tensor hsv)
    {
        CheckFloatRgb(hsv, nameof(hsv));
        using var scope = DisposeScope.Begin();
        var h = hsv.Select(0, 0).Remainder(1.0) * 6.0;
        var s = hsv.Select(0, 1);
        var v = hsv.Select(0, 2);
        var sextantFloat = h.Floor();
        var f = h - sextantFloat;
        var sextant = sextantFloat.Remainder(6.0).To(DType.Int64).Unsqueeze(0);  // [1, H, W]; 6 from float rounding wraps to 0
        var p = v * (1.0 - s);
        var q = v * (1.0 - s * f);
        var t = v * (1.0 - s * (1.0 - f));
        // In sextant k (0..5) the channels are: R = v q p p t v, G = t v v q p p, B = p p t v v q.
        var red = Tensor.Stack([v, q, p, p, t, v], 0).Gather(0, sextant).Squeeze(0);
        var green = Tensor.Stack([t, v, v, q, p, p], 0).Gather(0, sextant).Squeeze(0);
        var blue = Tensor.Stack([p, p, t, v, v, q], 0).Gather(0, sextant).Squeeze(0);
        return Tensor.Stack([red, green, blue], 0).MoveToOuterScope();
    }

    private static void CheckFloatRgb(Tensor t, string name)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        long[] shape = t.Shape;
        if (shape.Length != 3 || shape[0] != 3) throw new ArgumentException($"{name}: expected [3, H, W], got shape [{string.Join(", ", shape)}]", name);
        if (!t.DType.IsFloatingPoint()) throw new ArgumentException($"{name}: expected a float tensor in [0, 1], got {t.DType}", name);
    }
}
