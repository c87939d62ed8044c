using Exemplar.Torch;
using Exemplar.Vision.Transforms;

namespace Exemplar.Vision.Tests.Transforms;

public class RandomFlipTests
{
    [Fact]
    public void HorizontalFlipMirrorsColumnsOfImageAndMask()
    {
        using var sample = TestSamples.Ramp(2, 3);   // mask [[0, 1, 2], [3, 4, 5]]
        using var flipped = RandomFlip.Flip(sample, horizontal: true, vertical: false);
        Assert.Equal([2L, 1, 0, 5, 4, 3], flipped.Mask.ToArray<long>());
        Assert.Equal([2, 1, 0, 5, 4, 3, 12, 11, 10, 15, 14, 13, 22, 21, 20, 25, 24, 23], flipped.Image.ToArray<byte>());
    }

    [Fact]
    public void VerticalAndBothFlips()
    {
        using var sample = TestSamples.Ramp(2, 3);
        using var vertical = RandomFlip.Flip(sample, horizontal: false, vertical: true);
        Assert.Equal([3L, 4, 5, 0, 1, 2], vertical.Mask.ToArray<long>());
        Assert.Equal([3, 4, 5, 0, 1, 2], vertical.Image.ToArray<byte>()[..6]);
        using var both = RandomFlip.Flip(sample, horizontal: true, vertical: true);
        Assert.Equal([5L, 4, 3, 2, 1, 0], both.Mask.ToArray<long>());
    }

    [Fact]
    public void ProbabilitiesZeroAndOne()
    {
        using var sample = TestSamples.Ramp(2, 3);
        using var never = new RandomFlip(new RandomFlipOptions { HorizontalProbability = 0 }).Apply(sample, new Random(3));
        Assert.True(TestSamples.SameContent(sample, never));
        using var always = new RandomFlip(new RandomFlipOptions { HorizontalProbability = 1, VerticalProbability = 1 }).Apply(sample, new Random(3));
        Assert.Equal([5L, 4, 3, 2, 1, 0], always.Mask.ToArray<long>());
    }

    [Fact]
    public void SeedDecidesTheFlips()
    {
        using var sample = TestSamples.Ramp(2, 3);
        var flip = new RandomFlip(new RandomFlipOptions { HorizontalProbability = 0.5, VerticalProbability = 0.5 });
        var outcomes = new HashSet<string>();
        for (int seed = 0; seed < 16; seed++)
        {
            using var a = flip.Apply(sample, new Random(seed));
            using var b = flip.Apply(sample, new Random(seed));
            Assert.True(TestSamples.SameContent(a, b));
            outcomes.Add(string.Join(",", a.Mask.ToArray<long>()));
        }
        Assert.Equal(4, outcomes.Count); // none, horizontal, vertical, both all occur over 16 seeds
    }

    [Fact]
    public void InvalidProbabilityIsRejected() =>
        Assert.Throws<ArgumentException>(() => new RandomFlip(new RandomFlipOptions { VerticalProbability = 1.5 }));
}
