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
}
