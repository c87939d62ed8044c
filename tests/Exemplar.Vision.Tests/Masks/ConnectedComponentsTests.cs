using Exemplar.Torch;
using Exemplar.Vision.Masks;

namespace Exemplar.Vision.Tests.Masks;

public class ConnectedComponentsTests
{
    [Fact]
    public void RegionsAreEightConnectedLargestFirstWithTheirBoxes()
    {
        using var mask = Tensor.From(new byte[]
        {
            1, 0, 0, 0, 0,
            0, 1, 0, 1, 1,
            0, 0, 0, 1, 0,
            1, 0, 0, 0, 0,
        }, 4, 5);
        var found = ConnectedComponents.Find(mask);
        Assert.Equal(
        [
            new MaskComponent(3, new PixelBox(3, 1, 2, 2)),
            new MaskComponent(2, new PixelBox(0, 0, 2, 2)), // diagonal neighbours touch
            new MaskComponent(1, new PixelBox(0, 3, 1, 1)),
        ], found);
        using var empty = Tensor.Zeros([1, 3, 3], DType.Bool);
        Assert.Empty(ConnectedComponents.Find(empty));
        using var scores = Tensor.Zeros([3, 3]);
        Assert.Throws<ArgumentException>(() => ConnectedComponents.Find(scores));
    }

    [Fact]
    public void ScoredRegionsCarryTheMeanAndMaximumOfTheScoreMap()
    {
        using var mask = Tensor.From(new byte[]
        {
            1, 1, 0, 0,
            0, 0, 0, 1,
        }, 2, 4);
        using var scores = Tensor.From(new float[]
        {
            0.5f, 0.7f, 0.9f, 0.0f,
            0.0f, 0.0f, 0.0f, 0.4f,
        }, 2, 4);
        var found = ConnectedComponents.FindScored(mask, scores);
        Assert.Equal(2, found.Count);
        Assert.Equal((2L, new PixelBox(0, 0, 2, 1)), (found[0].Area, found[0].Box));
        Assert.Equal(0.6, found[0].MeanScore, 6); // the 0.9 outside the mask does not count
        Assert.Equal(0.7, found[0].MaxScore, 6);
        Assert.Equal((1L, 0.4, 0.4), (found[1].Area, Math.Round(found[1].MeanScore, 6), Math.Round(found[1].MaxScore, 6)));
        Assert.Equal(ConnectedComponents.Find(mask), found.Select(f => new MaskComponent(f.Area, f.Box)));
        using var small = Tensor.Zeros([2, 3]);
        Assert.Throws<ArgumentException>(() => ConnectedComponents.FindScored(mask, small));
        using var integers = Tensor.Zeros([2, 4], DType.Int64);
        Assert.Throws<ArgumentException>(() => ConnectedComponents.FindScored(mask, integers));
    }
}
