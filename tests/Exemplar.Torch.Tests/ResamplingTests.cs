namespace Exemplar.Torch.Tests;

/// <summary>Interpolate, Pad and GridSample. Expected values are PyTorch 1.13's <c>F.interpolate</c>/<c>F.pad</c>/<c>F.grid_sample</c>.</summary>
public class ResamplingTests
{
    // [[1, 2],
    //  [3, 4]] as [1, 1, 2, 2]
    private static Tensor Square2() => Tensor.From([1f, 2f, 3f, 4f], 1, 1, 2, 2);

    [Fact]
    public void NearestUsesFloorOfScaledCoordinate()
    {
        using var x = Square2();
        using var y = Functional.Interpolate(x, 3, 5);
        Check.Close(y, [1, 1, 3, 5], [1f, 1f, 1f, 2f, 2f, 1f, 1f, 1f, 2f, 2f, 3f, 3f, 3f, 4f, 4f], atol: 0);

        using var row = Check.Range(5, 1, 1, 1, 5);
        using var down = Functional.Interpolate(row, 1, 3, InterpolationMode.Nearest);
        Check.Close(down, [1, 1, 1, 3], [0f, 1f, 3f], atol: 0); // floor(i · 5/3)
    }

    [Fact]
    public void NearestExactRoundsToPixelCentres()
    {
        using var x = Square2();
        using var y = Functional.Interpolate(x, 3, 5, InterpolationMode.NearestExact);
        Check.Close(y, [1, 1, 3, 5], [1f, 1f, 2f, 2f, 2f, 3f, 3f, 4f, 4f, 4f, 3f, 3f, 4f, 4f, 4f], atol: 0);

        using var row = Check.Range(5, 1, 1, 1, 5);
        using var down = Functional.Interpolate(row, 1, 3, InterpolationMode.NearestExact);
        Check.Close(down, [1, 1, 1, 3], [0f, 2f, 4f], atol: 0); // floor((i + 0.5) · 5/3)
    }

    [Fact]
    public void NearestWithScaleFactors()
    {
        using var x = Square2();
        using var y = Functional.Interpolate(x, 2.0, 1.5);
        Check.Close(y, [1, 1, 4, 3], [1f, 1f, 2f, 1f, 1f, 2f, 3f, 3f, 4f, 3f, 3f, 4f], atol: 0);
    }

    [Fact]
    public void BilinearAlignCornersKeepsCornerValues()
    {
        using var x = Square2();
        using var y = Functional.Interpolate(x, 3, 3, InterpolationMode.Bilinear, alignCorners: true);
        Check.Close(y, [1, 1, 3, 3], [1f, 1.5f, 2f, 2f, 2.5f, 3f, 3f, 3.5f, 4f], atol: 1e-6);
    }

    [Fact]
    public void BilinearHalfPixelCentres()
    {
        using var x = Square2();
        using var y = Functional.Interpolate(x, 4, 4, InterpolationMode.Bilinear);
        // Source coordinate (i + 0.5)/2 − 0.5, clamped at 0: weights 0, 0.25, 0.75, 1 along each axis.
        Check.Close(y, [1, 1, 4, 4],
            [1f, 1.25f, 1.75f, 2f, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3f, 3.25f, 3.75f, 4f], atol: 1e-6);
    }

    [Fact]
    public void BicubicWithAndWithoutAlignCorners()
    {
        using var x = Square2();
        using (var y = Functional.Interpolate(x, 4, 4, InterpolationMode.Bicubic))
        {
            Check.Close(y, [1, 1, 4, 4],
                [0.68359375f, 1.015625f, 1.5625f, 1.89453125f, 1.34765625f, 1.6796875f, 2.2265625f, 2.55859375f,
                 2.44140625f, 2.7734375f, 3.3203125f, 3.65234375f, 3.10546875f, 3.4375f, 3.984375f, 4.31640625f], atol: 1e-5);
        }
        using (var y = Functional.Interpolate(x, 3, 3, InterpolationMode.Bicubic, alignCorners: true))
        {
            Check.Close(y, [1, 1, 3, 3], [1f, 1.5f, 2f, 2f, 2.5f, 3f, 3f, 3.5f, 4f], atol: 1e-5);
        }
    }

    /// <summary>A 6×6 image with values (i²)/10, i = 0..35, row-major: smooth but not linear.</summary>
    private static Tensor Quadratic6()
    {
        using var r = Check.Range(36, 1, 1, 6, 6);
        using var sq = r * r;
        return sq / 10;
    }

    [Fact]
    public void AntialiasedBilinearDownsamplingLowPasses()
    {
        using var x = Quadratic6();
        using (var y = Functional.Interpolate(x, 3, 2, InterpolationMode.Bilinear, antialias: true))
        {
            Check.Close(y, [1, 1, 3, 2], [4.9214287f, 8.314286f, 29.2f, 37.95f, 74.564293f, 88.671432f], atol: 1e-4);
        }
        using (var y = Functional.Interpolate(x, 3, 2, InterpolationMode.Bilinear))
        {
            Check.Close(y, [1, 1, 3, 2], [2.5f, 5.8f, 26.5f, 37f, 79.3f, 97f], atol: 1e-4);
        }
        using (var y = Functional.Interpolate(x, 3, 2, InterpolationMode.Bicubic, antialias: true))
        {
            Check.Close(y, [1, 1, 3, 2], [2.401597f, 5.5564094f, 27.091505f, 36.670452f, 78.13228f, 94.13536f], atol: 1e-4);
        }
    }

    [Fact]
    public void InterpolateRejectsBadArguments()
    {
        using var x = Square2();
        Assert.Throws<TorchException>(() => Functional.Interpolate(x, 4, 4, InterpolationMode.Nearest, alignCorners: true));
        using var flat = Tensor.Zeros([2, 2]);
        Assert.Throws<TorchException>(() => Functional.Interpolate(flat, 4, 4));
    }

    // [[1, 2, 3],
    //  [4, 5, 6]] as [1, 1, 2, 3]
    private static Tensor Rect23() => Tensor.From([1f, 2f, 3f, 4f, 5f, 6f], 1, 1, 2, 3);

    [Fact]
    public void PadConstant()
    {
        using var x = Rect23();
        using (var y = Functional.Pad(x, [1, 2], value: -1))
        {
            Check.Close(y, [1, 1, 2, 6], [-1f, 1f, 2f, 3f, -1f, -1f, -1f, 4f, 5f, 6f, -1f, -1f], atol: 0);
        }
        using (var y = Functional.Pad(x, [0, 0, 1, 0]))
        {
            Check.Close(y, [1, 1, 3, 3], [0f, 0f, 0f, 1f, 2f, 3f, 4f, 5f, 6f], atol: 0);
        }
        using (var y = Functional.Pad(x, [-1, 0, 0, 1])) // negative padding crops
        {
            Check.Close(y, [1, 1, 3, 2], [2f, 3f, 5f, 6f, 0f, 0f], atol: 0);
        }
    }

    [Fact]
    public void PadReflectReplicateCircular()
    {
        using var x = Rect23();
        using (var y = Functional.Pad(x, [2, 1, 1, 1], PaddingMode.Reflect))
        {
            Check.Close(y, [1, 1, 4, 6],
                [6f, 5f, 4f, 5f, 6f, 5f, 3f, 2f, 1f, 2f, 3f, 2f, 6f, 5f, 4f, 5f, 6f, 5f, 3f, 2f, 1f, 2f, 3f, 2f], atol: 0);
        }
        using (var y = Functional.Pad(x, [1, 1, 1, 0], PaddingMode.Replicate))
        {
            Check.Close(y, [1, 1, 3, 5], [1f, 1f, 2f, 3f, 3f, 1f, 1f, 2f, 3f, 3f, 4f, 4f, 5f, 6f, 6f], atol: 0);
        }
        using (var y = Functional.Pad(x, [1, 1, 0, 0], PaddingMode.Circular))
        {
            Check.Close(y, [1, 1, 2, 5], [3f, 1f, 2f, 3f, 1f, 6f, 4f, 5f, 6f, 4f], atol: 0);
        }
    }

    /// <summary>The identity sampling grid [1, H, W, 2] of (x, y): corners at ±1 (alignCorners) or pixel centres.</summary>
    private static Tensor IdentityGrid(int h, int w, bool alignCorners, DType dtype = DType.Float32)
    {
        using var scope = DisposeScope.Begin();
        Tensor Axis(int n) => alignCorners
            ? Tensor.Linspace(-1, 1, n, dtype)
            : Tensor.Linspace(-1 + 1.0 / n, 1 - 1.0 / n, n, dtype);
        var xs = Axis(w).View(1, w).Expand(h, w);
        var ys = Axis(h).View(h, 1).Expand(h, w);
        return Tensor.Stack([xs, ys], -1).Unsqueeze(0).MoveToOuterScope();
    }

    [Fact]
    public void GridSampleIdentityGridReproducesInput()
    {
        using var g = new Generator(11);
        using var x = Tensor.Rand([2, 3, 5, 7], g);
        using var grid1 = IdentityGrid(5, 7, alignCorners: true);
        using var grid = grid1.Expand(2, -1, -1, -1);
        using (var y = Functional.GridSample(x, grid, alignCorners: true))
        {
            Check.Close(x.ToArray<float>(), y.ToArray<float>(), atol: 1e-5);
            Assert.Equal(x.Shape, y.Shape);
        }
        using var centres1 = IdentityGrid(5, 7, alignCorners: false);
        using var centres = centres1.Expand(2, -1, -1, -1);
        using (var y = Functional.GridSample(x, centres, alignCorners: false))
        {
            Check.Close(x.ToArray<float>(), y.ToArray<float>(), atol: 1e-5);
        }
        using (var y = Functional.GridSample(x, grid, GridSampleMode.Nearest, alignCorners: true))
        {
            Assert.True(y.Equal(x));
        }
    }

    [Fact]
    public void GridSampleModesAndPadding()
    {
        using var x = Square2();
        // Points (x, y): centre, top-left corner, bottom-right corner, outside on the right, top edge three quarters across.
        using var grid = Tensor.From([0f, 0f, -1f, -1f, 1f, 1f, 2f, 0f, 0.5f, -1f], 1, 1, 5, 2);
        using (var y = Functional.GridSample(x, grid, alignCorners: true))
            Check.Close(y, [1, 1, 1, 5], [2.5f, 1f, 4f, 1.5f, 1.75f], atol: 1e-6);
        using (var y = Functional.GridSample(x, grid, alignCorners: false))
            Check.Close(y, [1, 1, 1, 5], [2.5f, 0.25f, 1f, 0f, 1f], atol: 1e-6);
        using (var y = Functional.GridSample(x, grid, padding: GridSamplePadding.Border, alignCorners: true))
            Check.Close(y, [1, 1, 1, 5], [2.5f, 1f, 4f, 3f, 1.75f], atol: 1e-6);
        using (var y = Functional.GridSample(x, grid, padding: GridSamplePadding.Reflection, alignCorners: true))
            Check.Close(y, [1, 1, 1, 5], [2.5f, 1f, 4f, 2.5f, 1.75f], atol: 1e-6);
        using (var y = Functional.GridSample(x, grid, GridSampleMode.Nearest, alignCorners: true))
            Check.Close(y, [1, 1, 1, 5], [1f, 1f, 4f, 0f, 2f], atol: 0);
        using (var y = Functional.GridSample(x, grid, GridSampleMode.Bicubic, alignCorners: true))
            Check.Close(y, [1, 1, 1, 5], [3.5253906f, 1f, 4f, 1.8925781f, 2.0195312f], atol: 1e-5);
    }
}
