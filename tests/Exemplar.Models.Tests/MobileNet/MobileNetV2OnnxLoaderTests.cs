using Exemplar.Models.Onnx;
using Exemplar.Models.Tests.Onnx;
using Xunit.Abstractions;
using Net = Exemplar.Models.MobileNet.MobileNetV2;

namespace Exemplar.Models.Tests.MobileNetV2;

/// <summary>The ONNX mapping refuses files that are not the model zoo's MobileNetV2, naming the first mismatch.</summary>
public class MobileNetV2OnnxLoaderTests(ITestOutputHelper output)
{
    private const string WeightsFile = "weights/mobilenetv2-12-int8.onnx";

    /// <summary>QuantizeLinear and one QLinearConv shaped like MobileNetV2's stem, with the given weight shape and output zero point.</summary>
    private static byte[] StemOnly(long[] weightDims, byte outputZeroPoint = 0, string firstOp = "QuantizeLinear")
    {
        long outChannels = weightDims[0];
        var nodes = new[]
        {
            OnnxWriter.Node(firstOp, ["input", "in_scale", "in_zero"], ["q"], "quantize"),
            OnnxWriter.Node("QLinearConv", ["q", "in_scale", "in_zero", "w", "w_scale", "w_zero", "y_scale", "y_zero", "b"], ["y"], "stem", "",
                OnnxWriter.IntsAttribute("dilations", 1, 1), OnnxWriter.IntAttribute("group", 1), OnnxWriter.IntsAttribute("kernel_shape", 3, 3),
                OnnxWriter.IntsAttribute("pads", 1, 1, 1, 1), OnnxWriter.IntsAttribute("strides", 2, 2)),
        };
        var initializers = new[]
        {
            OnnxWriter.FloatTensor("in_scale", [], 0.02f), OnnxWriter.UInt8Scalar("in_zero", 114),
            OnnxWriter.Int8Tensor("w", weightDims, 3), OnnxWriter.FloatTensor("w_scale", [outChannels], 0.01f),
            OnnxWriter.Int8Tensor("w_zero", [outChannels], 0), OnnxWriter.FloatTensor("y_scale", [], 6f / 255),
            OnnxWriter.UInt8Scalar("y_zero", outputZeroPoint), OnnxWriter.Int32Tensor("b", [outChannels], 100),
        };
        return OnnxWriter.Model(nodes, initializers, "input", "y", microsoftOperators: true);
    }

    private OnnxFormatException LoadFails(byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"exemplar-foreign-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, bytes);
        try
        {
            var e = Assert.Throws<OnnxFormatException>(() => Net.FromOnnx(path));
            Assert.Equal(path, e.FilePath);
            Assert.StartsWith(path + ": ", e.Message);
            output.WriteLine(e.Problem);
            return e;
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AFloatGraphIsRefusedAtItsFirstNode()
    {
        var e = LoadFails(StemOnly([32, 3, 3, 3], firstOp: "Conv"));
        Assert.Contains("node 0 is Conv 'quantize', expected QuantizeLinear for the input quantisation", e.Problem);
    }

    [Fact]
    public void AStemOfTheWrongWidthIsRefusedNamingTheLayer()
    {
        var e = LoadFails(StemOnly([16, 3, 3, 3]));
        Assert.Contains("'w' (features.0.0.weight) has shape [16, 3, 3, 3], expected [32, 3, 3, 3]", e.Problem);
    }

    [Fact]
    public void AGraphThatStopsAfterTheStemIsRefusedNamingWhatIsMissing()
    {
        var e = LoadFails(StemOnly([32, 3, 3, 3]));
        Assert.Contains("the graph ends after 2 nodes, expected QLinearConv for features.1.conv.0.0", e.Problem);
    }

    [Fact]
    public void AConvolutionWithoutFoldedReLU6IsRefused()
    {
        // Zero point 128 makes negative outputs representable: there is no ReLU6 after this convolution.
        var e = LoadFails(StemOnly([32, 3, 3, 3], outputZeroPoint: 128));
        Assert.Contains("(features.0.0) should be followed by ReLU6, but its quantised output spans [-3.012, 2.988]", e.Problem);
    }

    [SharedFact(WeightsFile)]
    public void TruncatedCopiesOfTheRealFileRaiseAnErrorNamingTheFile()
    {
        byte[] bytes = File.ReadAllBytes(SharedFolder.PathOf(WeightsFile));
        foreach (int length in new[] { 0, 10, 1000, bytes.Length / 2, bytes.Length - 1 })
        {
            var e = LoadFails(bytes[..length]);
            Assert.True(e.Problem.Contains("truncated") || e.Problem.Contains("no graph"), $"length {length}: {e.Message}");
        }
        // Cut exactly where the graph ends: the protobuf is well formed, but the operator-set imports that follow are gone.
        var reader = new Google.Protobuf.CodedInputStream(bytes);
        while (reader.ReadTag() is uint tag and not 0)
        {
            reader.SkipLastField();
            if (Google.Protobuf.WireFormat.GetTagFieldNumber(tag) == 7) break;
        }
        Assert.Contains("does not import the '' operator set that its operators need (imports: none)", LoadFails(bytes[..(int)reader.Position]).Problem);
    }
}
