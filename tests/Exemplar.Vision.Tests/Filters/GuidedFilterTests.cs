using Exemplar.Torch;
using Exemplar.Vision.Filters;

namespace Exemplar.Vision.Tests.Filters;

public class GuidedFilterTests
{
    [Fact]
    public void SeparableBoxEqualsTheSquareWindowMeanEvenAtBorders()
    {
        using var scope = DisposeScope.Begin();
        var x = Tensor.Randn([1, 2, 9, 11], new Generator(3));
        var box = GuidedFilter.Box(x, 2);
        var reference = Functional.AvgPool2d(x, 5, stride: 1, padding: 2, countIncludePad: false);
        Assert.True(box.AllClose(reference, 1e-4, 1e-5));
        Assert.True(GuidedFilter.Box(x, 7).AllClose(Functional.AvgPool2d(x, 15, stride: 1, padding: 7, countIncludePad: false), 1e-4, 1e-5));
        // Hand check of a corner: the mean of the 3x3 in-image block.
        var corner = x[0, 0, ..3, ..3].Mean().Item<float>();
        Assert.Equal(corner, box[0, 0, 0, 0].Item<float>(), 5);
    }

    [Fact]
    public void KeepsAStepEdgeOfTheGuideAndSmoothsFlatAreas()
    {
        using var scope = DisposeScope.Begin();
        // The guide has a sharp vertical edge at column 8; the input is a blurry ramp across it.
        var guide = Tensor.Zeros([1, 1, 16, 16]);
        guide[.., .., .., 8..] = Tensor.Ones([1]);
        var ramp = Tensor.Linspace(-1, 1, 16).Reshape(1, 1, 1, 16).Expand(1, 1, 16, 16).Contiguous();
        var filtered = GuidedFilter.Apply(ramp, guide, 3, 1e-4);
        // Across the guide's edge the output jumps much more than a plain box blur of the same radius does.
        var blurred = GuidedFilter.Box(ramp, 3);
        float guidedJump = filtered[0, 0, 8, 9].Item<float>() - filtered[0, 0, 8, 6].Item<float>();
        float blurJump = blurred[0, 0, 8, 9].Item<float>() - blurred[0, 0, 8, 6].Item<float>();
        Assert.True(guidedJump > blurJump + 0.2, $"guided {guidedJump} vs blur {blurJump}");
        // A constant input stays constant whatever the guide.
        var constant = GuidedFilter.Apply(Tensor.Full([1, 1, 16, 16], 0.25), guide, 3, 1e-4);
        Assert.True(constant.AllClose(Tensor.Full([1, 1, 16, 16], 0.25), 1e-4, 1e-5));
        Assert.Throws<ArgumentException>(() => GuidedFilter.Apply(ramp, Tensor.Zeros([1, 1, 8, 8]), 3, 1e-4));
    }
}
