using Exemplar.Torch;
using Exemplar.Vision.Transforms;

namespace Exemplar.Vision.Tests.Transforms;

public class MixingTests
{
    private static SegmentationSample Constant(int height, int width, byte colour, long label) =>
        new(Tensor.Full([3, height, width], colour, DType.UInt8), Tensor.Full([height, width], label, DType.Int64));

    [Fact]
    public void CutMixPastesTheBoxIntoImageAndMask()
    {
        using var a = Constant(4, 5, 10, 1);
        using var b = Constant(4, 5, 200, 2);
        using var mixed = CutMix.Paste(a, b, new CropBox(1, 2, 2, 3));
        long[] expected =
        [
            1, 1, 1, 1, 1,
            1, 1, 2, 2, 2,
            1, 1, 2, 2, 2,
            1, 1, 1, 1, 1,
        ];
        Assert.Equal(expected, mixed.Mask.ToArray<long>());
        var red = mixed.Image.ToArray<byte>()[..20];
        Assert.Equal(expected.Select(l => l == 1 ? (byte)10 : (byte)200).ToArray(), red);
        using var ones = Tensor.Full([4, 5], 1, DType.Int64);
        Assert.True(a.Mask.Equal(ones), "the input is not modified");
    }

    [Fact]
    public void CutMixBoxesAreReproducibleAndInside()
    {
        var boxes = new HashSet<CropBox>();
        for (int seed = 0; seed < 20; seed++)
        {
            var box = CutMix.SampleBox(30, 40, 1.0, new Random(seed));
            Assert.Equal(box, CutMix.SampleBox(30, 40, 1.0, new Random(seed)));
            Assert.True(box.Top >= 0 && box.Left >= 0 && box.Top + box.Height <= 30 && box.Left + box.Width <= 40, box.ToString());
            boxes.Add(box);
            var beta = CutMix.SampleBox(30, 40, 0.4, new Random(seed));
            Assert.True(beta.Top + beta.Height <= 30 && beta.Left + beta.Width <= 40, beta.ToString());
        }
        Assert.True(boxes.Count > 10);
    }

    [Fact]
    public void CutMixLabelsComeFromTheTwoMasks()
    {
        using var a = TestSamples.Random(16, 16, [0, 1], seed: 1);
        using var b = TestSamples.Random(16, 16, [5, 6], seed: 2);
        var cutMix = new CutMix();
        using var mixed = cutMix.Mix([a, b], new Random(3));
        Assert.Subset(new SortedSet<long> { 0, 1, 5, 6 }, TestSamples.Labels(mixed.Mask));
        using var other = Constant(8, 16, 0, 0);
        Assert.Contains("same size", Assert.Throws<ArgumentException>(() => cutMix.Mix([a, other], new Random(0))).Message);
    }

    [Fact]
    public void MosaicWithTheCentreInTheMiddleTilesTheQuadrants()
    {
        var samples = Enumerable.Range(0, 4).Select(k => Constant(4, 4, (byte)(10 * k), k + 1)).ToArray();
        try
        {
            var mosaic = new Mosaic(new MosaicOptions(4, 4));
            using var result = mosaic.Combine(samples, 4, 4);
            Assert.Equal([3L, 8, 8], result.Image.Shape);
            var mask = result.Mask.ToArray<long>();
            for (int i = 0; i < 8; i++)
            {
                for (int j = 0; j < 8; j++) Assert.Equal((i < 4 ? 1 : 3) + (j < 4 ? 0 : 1), mask[i * 8 + j]);
            }
        }
        finally
        {
            foreach (var s in samples) s.Dispose();
        }
    }

    [Fact]
    public void MosaicClipsTilesAtTheCanvasAndFillsTheRest()
    {
        var samples = Enumerable.Range(0, 4).Select(k => Constant(4, 4, (byte)(10 * k + 10), k + 1)).ToArray();
        try
        {
            using var result = new Mosaic(new MosaicOptions(4, 4)).Combine(samples, 2, 6);
            // Centre (row 2, col 6): tile 0 covers rows 0–1, cols 2–5; tile 1 rows 0–1, cols 6–7; tile 2 rows 2–5,
            // cols 2–5; tile 3 rows 2–5, cols 6–7. Rows 6–7 and cols 0–1 stay ignore (255) / fill 0.
            var mask = result.Mask.ToArray<long>();
            var red = result.Image.ToArray<byte>()[..64];
            for (int i = 0; i < 8; i++)
            {
                for (int j = 0; j < 8; j++)
                {
                    long expected = i >= 6 || j < 2 ? 255 : (i < 2 ? 1 : 3) + (j < 6 ? 0 : 1);
                    Assert.Equal(expected, mask[i * 8 + j]);
                    Assert.Equal(expected == 255 ? 0 : (byte)(10 * expected), red[i * 8 + j]);
                }
            }
        }
        finally
        {
            foreach (var s in samples) s.Dispose();
        }
    }

    [Fact]
    public void MosaicKeepsTheAspectRatioOfEachSample()
    {
        var samples = new[] { Constant(2, 8, 1, 1), Constant(4, 4, 2, 2), Constant(4, 4, 3, 3), Constant(4, 4, 4, 4) };
        try
        {
            // Sample 0 (2 x 8) fits the 4 x 4 tile scale at 0.5: 1 x 4, placed above-left of the centre (4, 4): row 3.
            using var result = new Mosaic(new MosaicOptions(4, 4)).Combine(samples, 4, 4);
            var mask = result.Mask.ToArray<long>();
            for (int j = 0; j < 4; j++)
            {
                Assert.Equal(255, mask[2 * 8 + j]);
                Assert.Equal(1, mask[3 * 8 + j]);
            }
        }
        finally
        {
            foreach (var s in samples) s.Dispose();
        }
    }

    [Fact]
    public void MixingInsideAPipelineIsReproducible()
    {
        var pool = Enumerable.Range(0, 5).Select(k => TestSamples.Random(12, 10 + k, [k, 10 + k], seed: (ulong)k)).ToArray();
        try
        {
            SegmentationSample Draw(Random r) => pool[r.Next(pool.Length)].Alias();
            var pipeline = new Compose(
                new MixWithDrawnSamples(new Mosaic(new MosaicOptions(8, 8)), Draw),
                new RandomFlip());
            using var a = pipeline.Apply(pool[0], new Random(21));
            using var b = pipeline.Apply(pool[0], new Random(21));
            using var c = pipeline.Apply(pool[0], new Random(22));
            Assert.True(TestSamples.SameContent(a, b));
            Assert.False(TestSamples.SameContent(a, c));
            Assert.Equal([16L, 16], a.Mask.Shape);
            var allowed = new SortedSet<long>(Enumerable.Range(0, 5).SelectMany(k => new long[] { k, 10 + k }).Append(255));
            Assert.Subset(allowed, TestSamples.Labels(a.Mask));
        }
        finally
        {
            foreach (var s in pool) s.Dispose();
        }
    }
}
