using Exemplar.Torch;

namespace Exemplar.InContext.Tests;

public class ColorHistogramSegmenterTests
{
    [Fact]
    public void FindsTheExampleColourInANewImage()
    {
        using var scope = DisposeScope.Begin();
        var (image, masks) = Scenes.Make(60, 80, 1, (220, 40, 40, 10, 10, 20, 30));
        var (target, truth) = Scenes.Make(50, 70, 2, (220, 40, 40, 25, 35, 15, 20));
        using var prompts = new PromptSet(["red"]);
        prompts.Add(image, masks, "synthetic");
        var result = new ColorHistogramSegmenter().SegmentEpisode(prompts, [target])[0];
        Assert.Equal([50L, 70], result.LabelMap.Shape);
        Assert.Equal([1L, 50, 70], result.Scores.Shape);
        Assert.True(Scenes.IoU(result.Masks[0], truth[0]) > 0.85, $"IoU {Scenes.IoU(result.Masks[0], truth[0])}");
    }

    [Fact]
    public void SeparatesTwoClasses()
    {
        using var scope = DisposeScope.Begin();
        var (image, masks) = Scenes.Make(60, 80, 3, (220, 40, 40, 5, 5, 20, 20), (40, 200, 40, 30, 40, 20, 30));
        var (target, truth) = Scenes.Make(60, 80, 4, (40, 200, 40, 5, 50, 20, 20), (220, 40, 40, 35, 5, 20, 30));
        using var prompts = new PromptSet(["red", "green"]);
        prompts.Add(image, masks, "synthetic");
        var result = new ColorHistogramSegmenter().SegmentEpisode(prompts, [target])[0];
        var expected = truth[1].To(DType.Int64) + truth[0].To(DType.Int64) * 2; // the target lists green first; class 1 is red
        double agreement = result.LabelMap.Eq(expected).To(DType.Float32).Mean().ToDouble();
        Assert.True(agreement > 0.95, $"pixel agreement {agreement}");
    }
}

public class IgnoredPixelTests
{
    [Fact]
    public void IgnoredExamplePixelsAreNotBackgroundEvidence()
    {
        using var scope = DisposeScope.Begin();
        // The example's red object is only half labelled: the other half is marked ignored. Were ignored pixels
        // background, red would be as much background as object and the target's red object would be lost.
        var (image, masks) = Scenes.Make(60, 80, 5, (220, 40, 40, 10, 10, 20, 40));
        var half = masks.Clone();
        half[0, .., 30..] = Tensor.Zeros([1], DType.UInt8);
        var ignore = masks[0].Ne(0) & half[0].Eq(0);
        var (target, truth) = Scenes.Make(50, 70, 6, (220, 40, 40, 20, 20, 15, 25));

        using var withIgnore = new PromptSet(["red"]);
        withIgnore.Add(image.Clone(), half.Clone(), "synthetic", ignore);
        var kept = new ColorHistogramSegmenter().SegmentEpisode(withIgnore, [target])[0];
        Assert.True(Scenes.IoU(kept.Masks[0], truth[0]) > 0.85, $"IoU with ignore {Scenes.IoU(kept.Masks[0], truth[0])}");

        using var asBackground = new PromptSet(["red"]);
        asBackground.Add(image.Clone(), half.Clone(), "synthetic");
        var lost = new ColorHistogramSegmenter().SegmentEpisode(asBackground, [target])[0];
        Assert.True(Scenes.IoU(lost.Masks[0], truth[0]) < Scenes.IoU(kept.Masks[0], truth[0]));
        Assert.Throws<ArgumentException>(() => withIgnore.Add(image.Clone(), half.Clone(), "bad", Tensor.Zeros([3, 3], DType.Bool)));
    }
}
