using Exemplar.Torch;
using Exemplar.Vision.Transforms;

namespace Exemplar.Vision.Tests.Transforms;

public class RandomRotateTests
{
    [Fact]
    public void QuarterTurnsMatchRot90()
    {
        using var sample = TestSamples.Ramp(3, 3);  // mask [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
        using var ccw = RandomRotate.Rotate(sample, 90);
        // Counter-clockwise, as numpy.rot90: the top-right corner goes to the top-left.
        Assert.Equal([2L, 5, 8, 1, 4, 7, 0, 3, 6], ccw.Mask.ToArray<long>());
        Assert.Equal([2, 5, 8, 1, 4, 7, 0, 3, 6], ccw.Image.ToArray<byte>()[..9]);
        Assert.Equal([22, 25, 28, 21, 24, 27, 20, 23, 26], ccw.Image.ToArray<byte>()[18..]);
        using var cw = RandomRotate.Rotate(sample, -90);
        Assert.Equal([6L, 3, 0, 7, 4, 1, 8, 5, 2], cw.Mask.ToArray<long>());
    }

    [Fact]
    public void HalfTurnOfANonSquareSampleIsBothFlips()
    {
        using var sample = TestSamples.Ramp(2, 4);
        using var rotated = RandomRotate.Rotate(sample, 180);
        using var flipped = RandomFlip.Flip(sample, horizontal: true, vertical: true);
        Assert.True(TestSamples.SameContent(rotated, flipped));
    }

    [Fact]
    public void CornersRotatedInFromOutsideGetTheFillValues()
    {
        using var sample = TestSamples.Ramp(7, 7);
        var options = new RandomRotateOptions { ImageFill = 7, MaskIgnore = 99 };
        using var rotated = RandomRotate.Rotate(sample, 45, options);
        var mask = rotated.Mask.ToArray<long>();
        var image = rotated.Image.ToArray<byte>();
        // Corner (0, 0) is 3√2 from the centre: rotated back it lands at row 3 − 4.24 = −1.24, more than a pixel
        // outside, so even bilinear sampling sees only the fill there.
        foreach (int corner in new[] { 0, 6, 42, 48 })
        {
            Assert.Equal(99, mask[corner]);
            Assert.Equal(7, image[corner]);
        }
        Assert.Equal(24, mask[24]);  // the centre stays
        Assert.Subset(new SortedSet<long>(Enumerable.Range(0, 49).Select(i => (long)i).Append(99)), TestSamples.Labels(rotated.Mask));
    }

    [Fact]
    public void RandomAnglesKeepLabelsAndDependOnlyOnTheSeed()
    {
        using var sample = TestSamples.Random(24, 32, [1, 2, 5], seed: 3, DType.UInt8);
        var rotate = new RandomRotate(new RandomRotateOptions { Probability = 1, MinDegrees = -30, MaxDegrees = 30 });
        for (int seed = 0; seed < 4; seed++)
        {
            using var a = rotate.Apply(sample, new Random(seed));
            using var b = rotate.Apply(sample, new Random(seed));
            Assert.True(TestSamples.SameContent(a, b));
            Assert.Equal(DType.UInt8, a.Mask.DType);
            Assert.Equal([24L, 32], a.Mask.Shape);
            Assert.Subset(new SortedSet<long> { 1, 2, 5, 255 }, TestSamples.Labels(a.Mask));
        }
        using var c = rotate.Apply(sample, new Random(1));
        using var d = rotate.Apply(sample, new Random(2));
        Assert.False(TestSamples.SameContent(c, d));
    }

    [Fact]
    public void ZeroProbabilityLeavesTheSampleAsItWas()
    {
        using var sample = TestSamples.Ramp(3, 4);
        using var same = new RandomRotate(new RandomRotateOptions { Probability = 0 }).Apply(sample, new Random(0));
        Assert.True(TestSamples.SameContent(sample, same));
    }
}
