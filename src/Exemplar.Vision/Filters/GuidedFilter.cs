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
    /// <param name="input">[N, C, H, W].</param>
    /// <param name="guide">[N, 1, H, W].</param>
    /// <param name="radius">Window radius in pixels of the full size.</param>
    /// <param name="eps">Regularisation.</param>
    /// <param name="subsample">
    /// 1: the exact filter. s &gt; 1: the fast guided filter (He and Sun, 2015): the coefficients a, b are fitted on
    /// s×s-averaged input and guide with radius r / s, upsampled bilinearly and applied to the full-size guide, about s²
    /// times less work; H and W must be multiples of s.
    /// </param>
    public static Tensor Apply(Tensor input, Tensor guide, int radius, double eps, int subsample = 1)
    {
        if (input.Dim != 4 || guide.Dim != 4 || guide.Size(1) != 1) throw new ArgumentException($"expected input [N, C, H, W] and guide [N, 1, H, W], got [{string.Join(", ", input.Shape)}] and [{string.Join(", ", guide.Shape)}]");
        if (input.Size(2) != guide.Size(2) || input.Size(3) != guide.Size(3)) throw new ArgumentException("input and guide must have the same height and width");
        if (radius < 1) throw new ArgumentOutOfRangeException(nameof(radius), radius, "radius must be at least 1");
        if (subsample < 1 || input.Size(2) % subsample != 0 || input.Size(3) % subsample != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(subsample), subsample, $"the subsampling must be at least 1 and divide {input.Size(2)}x{input.Size(3)}");
        }
        using var scope = DisposeScope.Begin();
        var smallGuide = subsample == 1 ? guide : Functional.AvgPool2d(guide, subsample);
        var smallInput = subsample == 1 ? input : Functional.AvgPool2d(input, subsample);
        int r = Math.Max(1, radius / subsample);
        var meanI = Box(smallGuide, r);
        var meanP = Box(smallInput, r);
        var covIp = Box(smallGuide * smallInput, r) - meanI * meanP;
        var varI = Box(smallGuide * smallGuide, r) - meanI * meanI;
        var a = covIp / (varI + eps);
        var b = meanP - a * meanI;
        var meanA = Box(a, r);
        var meanB = Box(b, r);
        if (subsample > 1)
        {
            int h = (int)input.Size(2), w = (int)input.Size(3);
            meanA = Functional.Interpolate(meanA, h, w, InterpolationMode.Bilinear);
            meanB = Functional.Interpolate(meanB, h, w, InterpolationMode.Bilinear);
        }
        return (meanA * guide + meanB).MoveToOuterScope();
    }

    /// <summary>
    /// Mean over a (2r+1)² window of [N, C, H, W], counting only pixels inside the image (so borders are not darkened).
    /// Computed with running sums along each axis, which costs O(1) per pixel whatever the radius, and is exact because the
    /// in-image count of a square window is the product of its row and column counts.
    /// </summary>
    public static Tensor Box(Tensor x, int radius)
    {
        if (x.Dim != 4) throw new ArgumentException($"expected [N, C, H, W], got [{string.Join(", ", x.Shape)}]", nameof(x));
        using var scope = DisposeScope.Begin();
        var rows = BoxAlong(x, radius, dim: 3);
        return BoxAlong(rows, radius, dim: 2).MoveToOuterScope();
    }

    /// <summary>Window means along one axis (2 = height, 3 = width) of [N, C, H, W].</summary>
    private static Tensor BoxAlong(Tensor x, int radius, int dim)
    {
        long n = x.Size(dim);
        // Zero-pad r + 1 before and r after, so that sum(window j) = cumsum[j + 2r + 1] - cumsum[j].
        long[] pad = dim == 3 ? [radius + 1, radius, 0, 0] : [0, 0, radius + 1, radius];
        var running = Functional.Pad(x, pad).Cumsum(dim);
        var sums = running.Narrow(dim, 2 * radius + 1, n) - running.Narrow(dim, 0, n);
        // In-image pixels of window j: min(j + r, n - 1) - max(j - r, 0) + 1.
        var j = Tensor.Arange(0, n, 1, DType.Float32, x.Device);
        var counts = (j + radius).Clamp(max: n - 1) - (j - radius).Clamp(min: 0) + 1.0;
        return sums / (dim == 3 ? counts : counts.Unsqueeze(1));
    }
}
