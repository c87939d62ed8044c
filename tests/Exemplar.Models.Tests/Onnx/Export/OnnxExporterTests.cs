using Exemplar.Models.Tests.DinoV2;
using Exemplar.Models.Onnx.Export;
using Exemplar.Models.Zoo;
using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Exemplar.Torch.Tracing;
using Exemplar.TestSupport.Onnx;

namespace Exemplar.Models.Tests.Onnx.Export;

/// <summary>
/// Exported graphs against Exemplar.Torch eager on the same inputs (ONNX Runtime, float32 within 1e-4), and through
/// the official checker with full_check.
/// </summary>
public sealed class OnnxExporterTests
{
    /// <summary>Zoo encoders small enough to build with random weights in a test, with a small input size.</summary>
    public static TheoryData<string, int> Encoders => new()
    {
        { "mobilenetv2", 96 },
        { "resnet50", 64 },
        { "dinov2_vits14", 70 },
        { "dinov2_vits14_reg", 56 },
    };

    [Theory]
    [MemberData(nameof(Encoders))]
    public void EveryLevelOfAZooEncoderMatchesEagerAndPassesTheChecker(string name, int size)
    {
        using var scope = DisposeScope.Begin();
        using var encoder = ModelZoo.Get(name).Create();
        var module = (Module)encoder;
        module.Eval();
        int[] levels = [.. Enumerable.Range(0, encoder.LevelCount)];
        var input = Tensor.Randn([1, 3, size, size], new Generator(1));
        var export = OnnxExporter.Export(x => [.. encoder.ForwardIntermediates(x[0], levels).Select(m => m.Features)], [input],
            new OnnxExportOptions { InputNames = ["image"] }, module);
        var bytes = export.ToByteArray();
        OnnxCheck.AssertValid(bytes);
        Assert.DoesNotContain("BatchNormalization", export.OperatorCounts.Keys);

        Tensor[] expected;
        using (LibTorch.NoGrad()) expected = [.. encoder.ForwardIntermediates(input, levels).Select(m => m.Features)];
        var actual = OnnxCheck.Run(bytes, ("image", input));
        Assert.Equal(expected.Length, actual.Length);
        for (int l = 0; l < levels.Length; l++)
        {
            // 1e-4 absolute, relative to the values' scale where it is above 1 (deep random-weight ResNet maps reach ~10).
            double diff = DinoV2Fixture.MaxAbsDiff(expected[l], actual[l]);
            double scale = Math.Max(1, expected[l].Abs().Max().ToDouble());
            Assert.True(diff <= 1e-4 * scale, $"{name} level {l}: max abs difference {diff:E2} at scale {scale:F1}");
        }
    }

    [SharedFact("fixtures/dinov2_tiny_parity.safetensors")]
    public void TheDinoV2ParityFixtureExportsWithBicubicPositionInterpolation()
    {
        using var scope = DisposeScope.Begin();
        using var model = DinoV2Fixture.Model(DinoV2Fixture.Plain);
        // 322x434 is not the 518 the position embeddings were made for: the interpolation is part of the trace.
        var input = DinoV2Fixture.Tensors(DinoV2Fixture.Plain, "input")["in322x434"];
        var export = OnnxExporter.Export(x => [model.ForwardFeatures(x[0]).Features], [input], new OnnxExportOptions { InputNames = ["image"] }, model);
        OnnxCheck.AssertValid(export.ToByteArray());
        var actual = OnnxCheck.Run(export.ToByteArray(), ("image", input))[0];
        var expected = DinoV2Fixture.Tensors(DinoV2Fixture.Plain, "expected.in322x434")["intermediate2.patch_nchw"];
        Assert.True(DinoV2Fixture.MaxAbsDiff(expected, actual) <= 1e-4);
    }

    [Fact]
    public void ConvolutionalEncodersKeepADynamicBatch()
    {
        using var scope = DisposeScope.Begin();
        using var encoder = ModelZoo.Get("mobilenetv2").Create();
        ((Module)encoder).Eval();
        var export = OnnxExporter.Export(x => [encoder.ForwardFeatures(x[0]).Features], [Tensor.Randn([1, 3, 64, 64])], new OnnxExportOptions
        {
            InputNames = ["image"],
            OutputNames = ["features"],
            DynamicAxes = new Dictionary<string, IReadOnlyDictionary<int, string>>
            {
                ["image"] = new Dictionary<int, string> { [0] = "batch", [2] = "height", [3] = "width" },
                ["features"] = new Dictionary<int, string> { [0] = "batch", [2] = "h", [3] = "w" },
            },
        }, (Module)encoder);
        OnnxCheck.AssertValid(export.ToByteArray());
        var batch = Tensor.Randn([3, 3, 96, 128], new Generator(2));
        Tensor expected;
        using (LibTorch.NoGrad()) expected = encoder.ForwardFeatures(batch).Features;
        Assert.True(DinoV2Fixture.MaxAbsDiff(expected, OnnxCheck.Run(export.ToByteArray(), ("image", batch))[0]) <= 1e-4);
    }

    [Fact]
    public void PipelinesOfTensorOperationsExport()
    {
        using var scope = DisposeScope.Begin();
        var x = Tensor.Randn([2, 4, 6, 6], new Generator(3));
        var y = Tensor.Randn([2, 4, 6, 6], new Generator(4));
        Tensor[] Pipeline(Tensor[] v)
        {
            var a = Functional.Normalize(v[0], dim: 1);
            var sim = a.Flatten(2).Transpose(1, 2).Matmul(v[1].Flatten(2));             // [2, 36, 36]
            var masked = sim.MaskedFill(sim.Lt(0), double.NegativeInfinity);
            var (top, _) = masked.Topk(3, dim: -1);
            var finite = Tensor.Where(top.IsInf(), Tensor.Zeros([]), top).Sum(-1) / 3.0;
            var up = Functional.Interpolate(finite.Reshape(2, 1, 6, 6), 12, 12, InterpolationMode.Bilinear);
            var pooled = Functional.AdaptiveAvgPool2d(up, 3, 3);
            var clipped = (pooled.Clamp(min: -0.5, max: 0.5) + 1).Cumsum(3);
            var chosen = Tensor.Where(v[0].Gt(0).Any(1, keepDim: true), v[0].Gt(0.5), v[1].Lt(0));  // bool Where (no ORT kernel)
            return [clipped, Functional.Sigmoid(up).Gt(0.6).Any(), Tensor.Cat([v[0], v[1]], 1).Select(1, -1), chosen.To(DType.Float32)];
        }
        var export = OnnxExporter.Export(Pipeline, [x, y]);
        OnnxCheck.AssertValid(export.ToByteArray());
        Tensor[] expected;
        using (LibTorch.NoGrad()) expected = Pipeline([x, y]);
        var actual = OnnxCheck.Run(export.ToByteArray(), ("input0", x), ("input1", y));
        Assert.True(DinoV2Fixture.MaxAbsDiff(expected[0], actual[0]) <= 1e-5);
        Assert.Equal(expected[1].Item<bool>(), actual[1].Item<bool>());
        Assert.True(DinoV2Fixture.MaxAbsDiff(expected[2], actual[2]) == 0);
        Assert.True(DinoV2Fixture.MaxAbsDiff(expected[3], actual[3]) == 0);
    }

    [Fact]
    public void ScaleFactorResizesNegativeIndicesAndDefaultStridesFollowATen()
    {
        using var scope = DisposeScope.Begin();
        var x = Tensor.Randn([1, 2, 5, 6], new Generator(7));
        Tensor[] Pipeline(Tensor[] v) =>
        [
            Functional.Interpolate(v[0], 2.5, 2.5, InterpolationMode.Bilinear),             // samples placed by 1/2.5, not 5/12
            Functional.Interpolate(v[0], 1.7, 1.7, InterpolationMode.Nearest),
            v[0].Select(3, -1),
            v[0].Narrow(2, -2, 2),
            Ops.Call("aten::max_pool2d", "", v[0], new long[] { 3, 2 }, OpArg.Default),
        ];
        var export = OnnxExporter.Export(Pipeline, [x]);
        OnnxCheck.AssertValid(export.ToByteArray());
        Tensor[] expected;
        using (LibTorch.NoGrad()) expected = Pipeline([x]);
        var actual = OnnxCheck.Run(export.ToByteArray(), ("input0", x));
        for (int i = 0; i < expected.Length; i++) Assert.True(DinoV2Fixture.MaxAbsDiff(expected[i], actual[i]) <= 1e-5, $"output {i}");
    }

    [Fact]
    public void AnOperatorWithNoMappingIsAnErrorNamingIt()
    {
        using var scope = DisposeScope.Begin();
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(x => [x[0].Sort(0).Values], [Tensor.Randn([5])]));
        Assert.Contains("no mapping for aten::sort", e.Message);
    }

    [Fact]
    public void ReadingTracedValuesIsRefused()
    {
        using var scope = DisposeScope.Begin();
        var e = Assert.Throws<TraceException>(() => OnnxExporter.Export(x => [x[0] * x[0].Sum().Item<float>()], [Tensor.Randn([5])]));
        Assert.Contains("data-dependent", e.Message);
    }

    [Fact]
    public void TrainingModeIsRefused()
    {
        using var scope = DisposeScope.Begin();
        using var bn = new BatchNorm2d(3);
        bn.Train();
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(bn, bn.Forward, Tensor.Randn([2, 3, 4, 4])));
        Assert.Contains("training mode", e.Message);
    }
}
