using Exemplar.Torch;
using Exemplar.Vision.Metrics;

namespace Exemplar.InContext.Tests;

public class ZooSegmenterTests
{
    private const string Weights = "weights/mobilenetv2-12-int8.onnx";
    private const string Duck = "data/samples/perseg/duck_toy_00.jpg";

    private static string PerSeg(string file) => SharedFolder.PathOf($"data/samples/perseg/{file}");

    [SharedFact(Weights, Duck)]
    public void OneObjectLoadsEncodesAndSegments()
    {
        using var segmenter = ZooSegmenter.Load("mobilenetv2", SharedFolder.PathOf(Weights));
        Assert.False(((Exemplar.Torch.Nn.Module)segmenter.Segmenter.Encoder).Training);
        using var prompt = segmenter.Encode((PerSeg("duck_toy_00.jpg"), PerSeg("duck_toy_00.png")));
        using var result = segmenter.Segment(prompt, PerSeg("duck_toy_01.jpg"));
        using var scope = DisposeScope.Begin();
        var truth = Exemplar.Vision.Masks.MaskDecoder.ReadBinary(PerSeg("duck_toy_01.png"));
        double iou = DavisMeasures.RegionSimilarity(result.LabelMap.Gt(0), truth.Gt(0));
        Assert.True(iou > 0.6, $"IoU {iou:F3}");
    }
}
