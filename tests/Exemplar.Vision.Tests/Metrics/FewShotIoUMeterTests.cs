using Exemplar.Torch;
using Exemplar.Vision.Metrics;

namespace Exemplar.Vision.Tests.Metrics;

public class FewShotIoUMeterTests
{
    // Episode 1 (class 3): truth = top-left 2x2, prediction = top row. fg ∩ 2, ∪ 6; bg ∩ 10, ∪ 14.
    private static (Tensor Prediction, Tensor Target) Episode1() => (
        Masks.Parse("1 1 1 1", "0 0 0 0", "0 0 0 0", "0 0 0 0"),
        Masks.Parse("1 1 0 0", "1 1 0 0", "0 0 0 0", "0 0 0 0"));

    // Episode 2 (class 3): truth = left half (8 px), prediction = the same but one pixel. fg ∩ 7, ∪ 8; bg ∩ 8, ∪ 9.
    private static (Tensor Prediction, Tensor Target) Episode2() => (
        Masks.Parse("1 1 0 0", "1 1 0 0", "1 1 0 0", "1 0 0 0"),
        Masks.Parse("1 1 0 0", "1 1 0 0", "1 1 0 0", "1 1 0 0"));

    [Fact]
    public void EpisodeAreasByHand()
    {
        var (p, t) = Episode1();
        using (p)
        using (t)
        {
            Assert.Equal(new EpisodeAreas(10, 14, 2, 6), FewShotIoUMeter.Areas(p, t));
        }
    }

    [Fact]
    public void ClassIoUIsSumOfIntersectionsOverSumOfUnionsNotTheMeanOfEpisodes()
    {
        var meter = new FewShotIoUMeter();
        var (p1, t1) = Episode1();
        var (p2, t2) = Episode2();
        using (p1) using (t1) using (p2) using (t2)
        {
            meter.Update(p1, t1, classId: 3);
            meter.Update(p2, t2, classId: 3);
        }
        // Σ∩ / Σ∪ = (2 + 7) / (6 + 8) = 9/14 = 0.642857…, whereas the mean of episode IoUs would be (1/3 + 7/8) / 2 = 0.604.
        Assert.Equal(9 / 14.0, meter.ClassIoU(3), 12);
        Assert.NotEqual((1 / 3.0 + 7 / 8.0) / 2, meter.ClassIoU(3), 6);
        Assert.Equal(9 / 14.0, meter.MeanIoU(), 12);
        // FB-IoU: background (10 + 8) / (14 + 9) = 18/23, foreground 9/14, mean of the two.
        Assert.Equal((18 / 23.0 + 9 / 14.0) / 2, meter.FbIoU(), 12);
        Assert.Equal(2, meter.EpisodeCount);
    }

    [Fact]
    public void MeanIoUAveragesClassesAndCountsMissingBenchmarkClassesAsZero()
    {
        var meter = new FewShotIoUMeter();
        var (p1, t1) = Episode1();
        var (p2, t2) = Episode2();
        using (p1) using (t1) using (p2) using (t2)
        {
            meter.Update(p1, t1, classId: 3);
            meter.Update(p2, t2, classId: 3);
            meter.Update(t2, t2, classId: 5);   // a perfect episode of class 5: IoU 1
        }
        Assert.Equal([3, 5], meter.Classes);
        Assert.Equal((9 / 14.0 + 1) / 2, meter.MeanIoU(), 12);
        Assert.Equal((9 / 14.0 + 1 + 0) / 3, meter.MeanIoU([3, 5, 7]), 12);
        // FB-IoU pools the classes: fg (9 + 8) / (14 + 8), bg (18 + 8) / (23 + 8).
        Assert.Equal((26 / 31.0 + 17 / 22.0) / 2, meter.FbIoU(), 12);
        Assert.Equal((18 / 23.0 + 9 / 14.0) / 2, meter.FbIoU([3]), 12);
    }

    [Fact]
    public void IgnoredPixelsCountForNeitherSide()
    {
        using var prediction = Masks.Parse("1 1", "0 1");
        using var target = Masks.Parse("1 255", "0 255");
        // Only the left column counts: fg ∩ 1, ∪ 1; bg ∩ 1, ∪ 1.
        Assert.Equal(new EpisodeAreas(1, 1, 1, 1), FewShotIoUMeter.Areas(prediction, target));
    }

    [Fact]
    public void BatchesMatchEpisodeByEpisodeUpdates()
    {
        using var scope = DisposeScope.Begin();
        var (p1, t1) = Episode1();
        var (p2, t2) = Episode2();
        var batched = new FewShotIoUMeter();
        batched.Update(Tensor.Stack([p1, p2]).To(DType.Bool), Tensor.Stack([t1, t2]).To(DType.UInt8), [3, 4]);
        Assert.Equal(new EpisodeAreas(10, 14, 2, 6), batched.Totals(3));
        Assert.Equal(new EpisodeAreas(8, 9, 7, 8), batched.Totals(4));
        Assert.Equal((2 / 6.0 + 7 / 8.0) / 2, batched.MeanIoU(), 12);
    }

    [Fact]
    public void NonBinaryValuesAreRejected()
    {
        using var prediction = Masks.Parse("1 2");
        using var target = Masks.Parse("1 0");
        Assert.Contains("predicted value 2", Assert.Throws<ArgumentException>(() => FewShotIoUMeter.Areas(prediction, target)).Message);
        using var target255 = Masks.Parse("1 200");
        using var ok = Masks.Parse("1 0");
        Assert.Contains("target value 200", Assert.Throws<ArgumentException>(() => FewShotIoUMeter.Areas(ok, target255)).Message);
        Assert.True(double.IsNaN(new FewShotIoUMeter().MeanIoU()));
    }
}
