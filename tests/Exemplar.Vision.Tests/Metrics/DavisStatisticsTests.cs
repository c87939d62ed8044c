using Exemplar.Vision.Metrics;

namespace Exemplar.Vision.Tests.Metrics;

public class DavisStatisticsTests
{
    [Fact]
    public void MeanRecallAndDecayByHand()
    {
        double[] values = [1, 1, 0.9, 0.8, 0.6, 0.4, 0.4, 0.2];
        var s = DavisStatistics.Summarize(values);
        Assert.Equal(5.3 / 8, s.Mean, 12);
        Assert.Equal(5 / 8.0, s.Recall, 12);     // 1, 1, 0.9, 0.8, 0.6 are above 0.5
        // Bin edges round(linspace(1, 8, 5)) − 1 = 0, 2, 4, 5, 7 (4.5 rounds up): first bin frames 0–2, last 5–7.
        Assert.Equal((1 + 1 + 0.9) / 3 - (0.4 + 0.4 + 0.2) / 3, s.Decay, 12);
    }

    [Fact]
    public void NoValuesIsAnError() => Assert.Throws<ArgumentException>(() => DavisStatistics.Summarize([]));
}
