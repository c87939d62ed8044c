using Exemplar.Models.Segmentation;
using Xunit.Abstractions;

namespace Exemplar.Models.Tests.Segmentation;

/// <summary>
/// The lite models cost what TI's edgeai-modelzoo table says (GMACs of the whole network, encoder included), counted
/// on the meta device.
/// </summary>
public class SegmentationComplexityTests(ITestOutputHelper output)
{
    /// <summary>TI's published GMACs: ADE20K-32 and 21 classes at 512×512, Cityscapes (19 classes) at 768×384 and 1536×768.</summary>
    public static TheoryData<string, int, int, int, double> TiTable => new()
    {
        { "deeplabv3lite_mobilenetv2", 512, 512, 32, 3.28 },
        { "unetlite_mobilenetv2", 512, 512, 32, 2.427 },
        { "fpnlite_mobilenetv2", 512, 512, 32, 3.481 },
        { "fpnlite_mobilenetv2_1.4", 512, 512, 32, 6.646 },
        { "deeplabv3lite_mobilenetv2", 512, 512, 21, 3.161 },
        { "unetlite_mobilenetv2", 512, 512, 21, 2.009 },
        { "fpnlite_mobilenetv2", 512, 512, 21, 3.357 },
        { "deeplabv3lite_mobilenetv2", 768, 384, 19, 3.54 },
        { "unetlite_mobilenetv2", 768, 384, 19, 2.20 },
        { "fpnlite_mobilenetv2", 768, 384, 19, 3.84 },
        { "fpnlite_mobilenetv2", 1536, 768, 19, 15.07 },
    };

    [Theory]
    [MemberData(nameof(TiTable))]
    public void MatchesTisGMacs(string name, int width, int height, int classes, double tiGMacs)
    {
        var complexity = SegmentationZoo.Get(name).MeasureComplexity(width, height, classes);
        double difference = complexity.GMacs / tiGMacs - 1;
        output.WriteLine($"| {name} | {width}x{height} | {classes} | {complexity.Parameters / 1e6:F2} M | {complexity.GMacs:F3} | {tiGMacs} | {difference:+0.0%;-0.0%} |");
        Assert.InRange(difference, -0.03, 0.03);
    }

    [Fact]
    public void CountsOnlyWhatTheForwardPassUses()
    {
        // MobileNetV2-1.0 without features.18 and the classifier, BN folded: 3,487,816 - (320·1280 + 1280) - (1280·1000 + 1000).
        var lraspp = SegmentationZoo.Get("lraspp_mobilenetv2").MeasureComplexity(224, 224, 1);
        const long encoder = 3_487_816 - (320 * 1280 + 1280) - (1280 * 1000 + 1000);
        Assert.InRange(lraspp.Parameters - encoder, 1, 200_000);
        // Convolution MACs scale with the pixel count.
        var small = SegmentationZoo.Get("fpnlite_mobilenetv2").MeasureComplexity(768, 384, 19);
        var large = SegmentationZoo.Get("fpnlite_mobilenetv2").MeasureComplexity(1536, 768, 19);
        Assert.Equal(4 * small.Macs, large.Macs);
        Assert.Equal(small.Parameters, large.Parameters);
    }
}
