using Exemplar.Torch;
using Exemplar.Vision.Transforms;

namespace Exemplar.Vision.Tests.Transforms;

public class RandomResizedCropTests
{
    [Fact]
    public void BoxesFitAndRespectTheRanges()
    {
        var options = new RandomResizedCropOptions(32, 32) { MinScale = 0.25, MaxScale = 0.5 };
        var random = new Random(11);
        for (int k = 0; k < 200; k++)
        {
            var box = RandomResizedCrop.SampleBox(100, 160, options, random);
            Assert.InRange(box.Top, 0, 100 - box.Height);
            Assert.InRange(box.Left, 0, 160 - box.Width);
            double fraction = (double)box.Height * box.Width / (100 * 160);
            double ratio = (double)box.Width / box.Height;
            // Rounding w and h to integers moves the area and ratio a little beyond the drawn values.
            Assert.InRange(fraction, 0.25 * 0.95, 0.5 * 1.05);
            Assert.InRange(ratio, 0.75 * 0.95, 4.0 / 3.0 * 1.05);
        }
    }

    [Fact]
    public void FallsBackToACentreCropWhenNoAttemptFits()
    {
        // The whole area at ratio 2..3 never fits in a square, so all 10 attempts fail:
        // in_ratio 1 < 2 → w = 10, h = round(10 / 2) = 5, centred: top (10 − 5) / 2 = 2.
        var options = new RandomResizedCropOptions(4, 4) { MinScale = 1, MaxScale = 1, MinRatio = 2, MaxRatio = 3 };
        Assert.Equal(new CropBox(2, 0, 5, 10), RandomResizedCrop.SampleBox(10, 10, options, new Random(0)));
        // A wide image beyond the largest ratio keeps its height: 10 x 40 (every attempt needs h ≥ 14), ratio ≤ 2
        // → w = 20, left (40 − 20) / 2 = 10.
        var wide = new RandomResizedCropOptions(4, 4) { MinScale = 1, MaxScale = 1, MinRatio = 1, MaxRatio = 2 };
        Assert.Equal(new CropBox(0, 10, 10, 20), RandomResizedCrop.SampleBox(10, 40, wide, new Random(0)));
        // Within the range: the whole image.
        Assert.Equal(new CropBox(0, 0, 10, 10), RandomResizedCrop.CentreFallback(10, 10, 0.75, 4.0 / 3.0));
    }

    [Fact]
    public void CropAndResizeIsExactOnAKnownBox()
    {
        using var sample = TestSamples.Ramp(4, 4);  // mask i·4 + j
        using var crop = RandomResizedCrop.CropAndResize(sample, new CropBox(1, 2, 2, 2), 4, 4);
        long[] expected = [6, 6, 7, 7, 6, 6, 7, 7, 10, 10, 11, 11, 10, 10, 11, 11];
        Assert.Equal(expected, crop.Mask.ToArray<long>());
        Assert.Equal([3L, 4, 4], crop.Image.Shape);
        Assert.Throws<ArgumentException>(() => RandomResizedCrop.CropAndResize(sample, new CropBox(3, 3, 2, 2), 4, 4));
    }

    [Fact]
    public void OutputHasTheRequestedSizeAndOnlyInputLabels()
    {
        using var sample = TestSamples.Random(40, 60, [0, 3, 9], seed: 5);
        var crop = new RandomResizedCrop(new RandomResizedCropOptions(24, 16));
        for (int seed = 0; seed < 5; seed++)
        {
            using var a = crop.Apply(sample, new Random(seed));
            using var b = crop.Apply(sample, new Random(seed));
            Assert.Equal([3L, 24, 16], a.Image.Shape);
            Assert.Equal([24L, 16], a.Mask.Shape);
            Assert.True(TestSamples.SameContent(a, b));
            Assert.Subset(new SortedSet<long> { 0, 3, 9 }, TestSamples.Labels(a.Mask));
        }
        using var c = crop.Apply(sample, new Random(100));
        using var d = crop.Apply(sample, new Random(101));
        Assert.False(TestSamples.SameContent(c, d));
    }
}
