using Exemplar.Vision.Transforms;

namespace Exemplar.Vision.Tests.Transforms;

public class ScaleJitterTests
{
    [Fact]
    public void DoublingRepeatsEveryPixelOfTheMask()
    {
        using var sample = TestSamples.Ramp(2, 3);
        using var doubled = ScaleJitter.Rescale(sample, 2.0);
        Assert.Equal([3L, 4, 6], doubled.Image.Shape);
        Assert.Equal([0L, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 3, 3, 4, 4, 5, 5], doubled.Mask.ToArray<long>());
    }

    [Fact]
    public void RandomScalesStayInTheRange()
    {
        using var sample = TestSamples.Random(20, 30, [0, 1], seed: 2);
        var jitter = new ScaleJitter(new ScaleJitterOptions { MinScale = 0.5, MaxScale = 1.5 });
        var heights = new HashSet<long>();
        for (int seed = 0; seed < 8; seed++)
        {
            using var a = jitter.Apply(sample, new Random(seed));
            using var b = jitter.Apply(sample, new Random(seed));
            Assert.True(TestSamples.SameContent(a, b));
            long h = a.Mask.Size(0), w = a.Mask.Size(1);
            Assert.InRange(h, 10, 30);
            Assert.InRange(w, 15, 45);
            Assert.InRange(w / (double)h, 1.4, 1.6);
            Assert.Subset(new SortedSet<long> { 0, 1 }, TestSamples.Labels(a.Mask));
            heights.Add(h);
        }
        Assert.True(heights.Count > 1, "different seeds should give different scales");
        Assert.Throws<ArgumentException>(() => new ScaleJitter(new ScaleJitterOptions { MinScale = 2, MaxScale = 1 }));
    }
}
