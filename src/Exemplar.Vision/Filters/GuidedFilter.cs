using Exemplar.Torch;

namespace Exemplar.Vision.Filters;

/// <summary>
/// The guided filter (He, Sun and Tang, 2013): smooths an input map while following the edges of a guide image, in
/// O(pixels) with box filters. Exemplar uses it to upsample coarse score maps along the target image's edges.
/// </summary>
public static class GuidedFilter
{
    /// <summary>
    /// Filters <paramref name="input"/> [N, C, H, W] guided by the gray image <paramref name="guide"/> [N, 1, H, W]
    /// (values roughly in [0, 1]): each output pixel is a·I + b with a, b fitted by least squares in a (2r+1)² window and
    /// averaged. <paramref name="eps"/> is the regularisation: larger values smooth more and follow edges less.
    /// </summary>
    public static Tensor Apply(Tensor input, Tensor guide, int radius, double eps)
    {
        if (input.Dim != 4 || guide.Dim != 4 || guide.Size(1) != 1) throw new ArgumentException($"expected input [N, C, H, W] and guide [N, 1, H, W], got [{string.Join(", ", input.Shape)}] and [{string.Join(", ", guide.Shape)}]");
        if (input.Size(2) != guide.Size(2) || input.Size(3) != guide.Size(3)) throw new ArgumentException("input and guide must have the same height and width");
        if (radius < 1) throw new ArgumentOutOfRangeException(nameof(radius), radius, "radius must be at least 1");
        using var scope = DisposeScope.Begin();
        var meanI = Box(guide, radius);
        var meanP = Box(input, radius);
        var covIp = Box(guide * input, radius) - meanI * meanP;
        var varI = Box(guide * guide, radius) - meanI * meanI;
        var a = covIp / (varI + eps);
        var b = meanP - a * meanI;
        return (Box(a, radius) * guide + Box(b, radius)).MoveToOuterScope();
    }

    /// <summary>Mean over a (2r+1)² window, counting only pixels inside the image (so borders are not darkened).</summary>
    public static Tensor Box(Tensor x, int radius) =>
        Functional.AvgPool2d(x, 2 * radius + 1, stride: 1, padding: radius, countIncludePad: false);
}
