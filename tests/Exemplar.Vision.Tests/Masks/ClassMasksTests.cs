using Exemplar.Torch;
using Exemplar.Vision.Masks;

namespace Exemplar.Vision.Tests.Masks;

public class ClassMasksTests
{
    [Fact]
    public void OneChannelPerClassLabelOneAndUp()
    {
        using var scope = DisposeScope.Begin();
        var labels = Tensor.From([0L, 1, 2, 255, 2, 1], 2, 3);
        var masks = LabelMap.ClassMasks(labels, 2);
        Assert.Equal([2L, 2, 3], masks.Shape);
        Assert.Equal([false, true, false, false, false, true], masks[0].Flatten().ToArray<bool>());
        Assert.Equal([false, false, true, false, true, false], masks[1].Flatten().ToArray<bool>());
        var batch = LabelMap.ClassMasks(labels.Unsqueeze(0), 2);
        Assert.Equal([1L, 2, 2, 3], batch.Shape);
    }
}
