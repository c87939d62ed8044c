using Exemplar.Torch;
using Exemplar.Vision.Transforms;

namespace Exemplar.Vision.Tests.Transforms;

public class ResizeLongestSidePadTests
{
    [Fact]
    public void GeometryOfALandscapeDavisFrameAt896()
    {
        // scale = 896 / 854 = 1.0491803…; 480 · scale = 503.607: SegIC's F.interpolate floors it to 503, SAM rounds to 504.
        Assert.Equal(new ResizePadGeometry(480, 854, 503, 896, 896, 896.0 / 854.0), ResizePadGeometry.For(480, 854, 896));
        Assert.Equal(new ResizePadGeometry(480, 854, 504, 896, 896, 896.0 / 854.0), ResizePadGeometry.For(480, 854, 896, ResizeRounding.HalfUp));
        var transform = new ResizeLongestSidePad();
        Assert.Equal(ResizePadGeometry.For(480, 854, 896), transform.GeometryFor(480, 854));
    }

    [Fact]
    public void GeometryOfPortraitSquareAndShrunkInputs()
    {
        Assert.Equal(new ResizePadGeometry(854, 480, 896, 503, 896, 896.0 / 854.0), ResizePadGeometry.For(854, 480, 896));
        Assert.Equal(new ResizePadGeometry(100, 100, 896, 896, 896, 8.96), ResizePadGeometry.For(100, 100, 896));
        // 1000 x 2000 → scale 0.448: 448 x 896.
        Assert.Equal(new ResizePadGeometry(1000, 2000, 448, 896, 896, 0.448), ResizePadGeometry.For(1000, 2000, 896));
        // Half-way: 3 x 4 at S = 6 → 4.5, floored to 4 or rounded up to 5 (SAM's int(x + 0.5)).
        Assert.Equal(4, ResizePadGeometry.For(3, 4, 6).ResizedHeight);
        Assert.Equal(5, ResizePadGeometry.For(3, 4, 6, ResizeRounding.HalfUp).ResizedHeight);
        // SegIC's floating-point floor(55 · (896 / 55)) gives 895; the longest side here is always S.
        Assert.Equal(896, ResizePadGeometry.For(40, 55, 896).ResizedWidth);
    }

    [Fact]
    public void ImagesAreSampledAtTheScaleAsFInterpolateWithAScaleFactor()
    {
        // One channel holds 0..34 over 5 x 7; S = 9 → scale 9/7, 6 x 9. Row 3 samples input row (3 + 0.5) · 7/9 − 0.5
        // = 2.2222 (not (3 + 0.5) · 5/6 − 0.5 as the ratio of sizes would), so its first value is 7 · 2.2222 = 15.5556.
        // Values from torch 1.13: F.interpolate(x, scale_factor=9/7, mode="bilinear")[0, 0, 3].
        float[] expectedRow3 = [15.555556f, 16.222223f, 17.0f, 17.777779f, 18.555555f, 19.333332f, 20.111111f, 20.888889f, 21.555555f];
        using var scope = DisposeScope.Begin();
        var image = Tensor.Arange(0, 35, 1).Reshape(1, 5, 7).Expand(3, 5, 7).Contiguous();
        var transform = new ResizeLongestSidePad(new ResizePadOptions { Size = 9 });
        var resized = transform.ResizeImage(image, transform.GeometryFor(5, 7));
        Assert.Equal([3L, 9, 9], resized.Shape);
        var row3 = resized[0, 3].ToArray<float>();
        for (int j = 0; j < 9; j++) Assert.Equal(expectedRow3[j], row3[j], 4);
        Assert.All(resized[.., 6..].ToArray<float>(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void TinyMaskIsUpsampledAndPaddedExactly()
    {
        using var mask = Tensor.From(new long[] { 1, 2, 3, 4, 5, 6, 7, 8 }, 2, 4);
        using var image = Tensor.Full([3, 2, 4], 9, DType.UInt8);
        using var sample = new SegmentationSample(image.Alias(), mask.Alias());
        var transform = new ResizeLongestSidePad(new ResizePadOptions { Size = 8 });
        var (padded, geometry) = transform.Forward(sample);
        using var _ = padded;
        Assert.Equal(new ResizePadGeometry(2, 4, 4, 8, 8, 2.0), geometry);
        Assert.Equal(geometry, padded.Metadata?.ResizePad);
        long[] expected =
        [
            1, 1, 2, 2, 3, 3, 4, 4,
            1, 1, 2, 2, 3, 3, 4, 4,
            5, 5, 6, 6, 7, 7, 8, 8,
            5, 5, 6, 6, 7, 7, 8, 8,
            255, 255, 255, 255, 255, 255, 255, 255,
            255, 255, 255, 255, 255, 255, 255, 255,
            255, 255, 255, 255, 255, 255, 255, 255,
            255, 255, 255, 255, 255, 255, 255, 255,
        ];
        Assert.Equal(expected, padded.Mask.ToArray<long>());
        Assert.Equal([3L, 8, 8], padded.Image.Shape);
        Assert.Equal(DType.UInt8, padded.Image.DType);
        var pixels = padded.Image.ToArray<byte>();
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < 8; i++)
            {
                for (int j = 0; j < 8; j++) Assert.Equal(i < 4 ? 9 : 0, pixels[(c * 8 + i) * 8 + j]);
            }
        }
    }

    [Fact]
    public void InverseOfForwardReproducesADavisSizedMaskExactly()
    {
        // Label noise is the hardest case for nearest neighbour: every pixel differs from its neighbours.
        using var sample = TestSamples.Random(480, 854, [0, 1, 2, 3, 4, 5], seed: 7);
        var transform = new ResizeLongestSidePad();
        var geometry = transform.GeometryFor(480, 854);
        using var padded = transform.ResizeMask(sample.Mask, geometry);
        Assert.Equal([896L, 896], padded.Shape);
        using var restored = ResizeLongestSidePad.RestoreMask(padded, geometry);
        Assert.Equal([480L, 854], restored.Shape);
        Assert.True(restored.Equal(sample.Mask));
    }

    [Theory]
    [InlineData(7, 5, 16)]
    [InlineData(5, 7, 9)]
    [InlineData(3, 3, 3)]
    [InlineData(1, 13, 29)]
    public void InverseOfForwardIsExactWheneverTheMaskIsEnlarged(int height, int width, int size)
    {
        using var sample = TestSamples.Random(height, width, [0, 1, 2, 7], seed: (ulong)(height * 100 + width), DType.UInt8);
        var transform = new ResizeLongestSidePad(new ResizePadOptions { Size = size });
        var geometry = transform.GeometryFor(height, width);
        using var padded = transform.ResizeMask(sample.Mask, geometry);
        using var restored = ResizeLongestSidePad.RestoreMask(padded, geometry);
        Assert.True(restored.Equal(sample.Mask));
    }

    [Fact]
    public void BatchedMasksAndImagesAreHandled()
    {
        using var scope = DisposeScope.Begin();
        var transform = new ResizeLongestSidePad(new ResizePadOptions { Size = 12 });
        var geometry = transform.GeometryFor(4, 6);
        var images = Tensor.Rand([2, 3, 4, 6]);
        var masks = Tensor.Randint(0, 3, [2, 4, 6]);
        Assert.Equal([2L, 3, 12, 12], transform.ResizeImage(images, geometry).Shape);
        var padded = transform.ResizeMask(masks, geometry);
        Assert.Equal([2L, 12, 12], padded.Shape);
        Assert.True(ResizeLongestSidePad.RestoreMask(padded, geometry).Equal(masks));
    }

    [Fact]
    public void RestoreScoresCropsThePaddingBeforeResizing()
    {
        using var scope = DisposeScope.Begin();
        var geometry = ResizePadGeometry.For(2, 4, 8);           // valid region 4 x 8
        var scores = Tensor.Full([1, 8, 8], 1f);
        scores[.., 4.., ..] = Tensor.Full([1, 4, 8], 100f);      // the padding: must not leak into the result
        var restored = ResizeLongestSidePad.RestoreScores(scores, geometry);
        Assert.Equal([1L, 2, 4], restored.Shape);
        Assert.All(restored.ToArray<float>(), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void FloatImagesStayFloatAndConstantImagesStayConstant()
    {
        using var image = Tensor.Full([3, 5, 3], 0.25f);
        using var mask = Tensor.Zeros([5, 3], DType.Int64);
        using var sample = new SegmentationSample(image.Alias(), mask.Alias());
        using var padded = new ResizeLongestSidePad(new ResizePadOptions { Size = 10, ImageInterpolation = InterpolationMode.Bicubic }).Apply(sample, new Random(0));
        Assert.Equal(DType.Float32, padded.Image.DType);
        using var valid = padded.Image[.., .., 0..6];
        Assert.All(valid.ToArray<float>(), v => Assert.Equal(0.25f, v, 5));
    }

    [Fact]
    public void BadInputsAreRejectedWithAClearMessage()
    {
        var transform = new ResizeLongestSidePad(new ResizePadOptions { Size = 8 });
        var geometry = transform.GeometryFor(2, 4);
        using var wrongMask = Tensor.Zeros([3, 4], DType.Int64);
        var ex = Assert.Throws<ArgumentException>(() => transform.ResizeMask(wrongMask, geometry));
        Assert.Contains("3x4", ex.Message);
        using var byteMask = Tensor.Zeros([2, 4], DType.UInt8);
        var big = new ResizeLongestSidePad(new ResizePadOptions { Size = 8, MaskIgnore = 300 });
        Assert.Contains("uint8", Assert.Throws<ArgumentException>(() => big.ResizeMask(byteMask, geometry)).Message);
        Assert.Throws<ArgumentException>(() => new ResizeLongestSidePad(new ResizePadOptions { Size = 0 }));
        using var floatMask = Tensor.Zeros([2, 4]);
        Assert.Contains("int64 or uint8", Assert.Throws<ArgumentException>(() => transform.ResizeMask(floatMask, geometry)).Message);
    }
}
