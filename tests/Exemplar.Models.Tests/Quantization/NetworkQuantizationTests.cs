using Exemplar.Models.Onnx.Export;
using Exemplar.Models.Quantization;
using Exemplar.Models.Segmentation;
using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Exemplar.TestSupport.Onnx;

namespace Exemplar.Models.Tests.Quantization;

public sealed class NetworkQuantizationTests
{
    [Fact]
    public void FakeQuantizationRoundsToTheGridAndClamps()
    {
        using var x = Tensor.From([-1f, 0.04f, 0.26f, 3f]);
        using var q = Functional.FakeQuantizePerTensor(x, 0.1, 10, 0, 255);
        // (clamp(round(x / 0.1) + 10, 0, 255) − 10) · 0.1: -1 → 0 (clamped at q = 0), 0.04 → 0, 0.26 → 0.3, 3 → 3.
        Assert.Equal([-1f, 0f, 0.3f, 3f], q.ToArray<float>().Select(v => MathF.Round(v, 5)));
    }

    [Fact]
    public void FoldingABatchNormIntoItsConvolutionKeepsTheOutput()
    {
        LibTorch.ManualSeed(3);
        using var conv = new Conv2d(3, 4, 3, padding: 1, bias: false);
        using var norm = new BatchNorm2d(4);
        using (LibTorch.NoGrad())
        {
            norm.RunningMean.Copy_(Tensor.From([0.5f, -1f, 0f, 2f])).Dispose();
            norm.RunningVar.Copy_(Tensor.From([1.5f, 0.2f, 1f, 4f])).Dispose();
            norm.Weight!.Copy_(Tensor.From([1f, -2f, 0.5f, 1f])).Dispose();
            norm.Bias!.Copy_(Tensor.From([0f, 0.1f, -0.3f, 1f])).Dispose();
        }
        norm.Eval();
        using var scope = DisposeScope.Begin();
        var input = Tensor.Randn([2, 3, 5, 5], new Generator(1));
        float[] expected;
        using (LibTorch.NoGrad()) expected = norm.Forward(conv.Forward(input)).ToArray<float>();
        conv.FoldBatchNorm(norm);
        Assert.NotNull(conv.Bias);
        float[] actual;
        using (LibTorch.NoGrad()) actual = conv.Forward(input).ToArray<float>();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 4);
    }

    private static LrAsppMobileNetV2 Network()
    {
        LibTorch.ManualSeed(5);
        var network = new LrAsppMobileNetV2(4);
        network.Eval();
        return network;
    }

    private static IEnumerable<Tensor> Batches(int count) => Enumerable.Range(0, count).Select(i => Tensor.Randn([2, 3, 64, 64], new Generator((ulong)(10 + i))));

    [Fact]
    public void CalibratedQuantizationStaysCloseToTheFloatNetwork()
    {
        using var network = Network();
        using var scope = DisposeScope.Begin();
        var input = Tensor.Randn([2, 3, 64, 64], new Generator(10));
        Tensor reference;
        using (LibTorch.NoGrad()) reference = network.Forward(input);

        var quantization = NetworkQuantization.Prepare(network);
        Assert.Equal(1, quantization.FoldedBatchNorms); // the head's cbr
        Assert.Equal(network.NamedModules().Count(m => m.Module is Conv2d), quantization.Quantizers.Count);
        Tensor folded;
        using (LibTorch.NoGrad()) folded = network.Forward(input); // calibration mode computes in float
        Assert.True((folded - reference).Abs().Max().ToDouble() < 1e-3, "folding the batch norm changed the output");

        quantization.Calibrate(Batches(4));
        Assert.Equal(QuantizationMode.Quantize, quantization.Mode);
        Tensor quantized;
        using (LibTorch.NoGrad()) quantized = network.Forward(input);
        double error = (quantized - reference).Abs().Mean().ToDouble() / reference.Abs().Mean().ToDouble();
        Assert.True(error is > 0 and < 0.1, $"relative mean error of int8 fake quantisation {error:F4}");
        double agree = quantized.Argmax(1).Eq(reference.Argmax(1)).To(DType.Float32).Mean().ToDouble();
        Assert.True(agree > 0.9, $"only {agree:P1} of the pixels keep their class");
    }

    [Fact]
    public void RestoredRangesReproduceTheQuantisedNetwork()
    {
        using var network = Network();
        var quantization = NetworkQuantization.Prepare(network);
        quantization.Calibrate(Batches(2));
        var ranges = quantization.Ranges();
        Assert.Equal(quantization.Quantizers.Count - 1, ranges.Count); // the unused last backbone convolution never ran
        using var scope = DisposeScope.Begin();
        var input = Tensor.Randn([1, 3, 64, 64], new Generator(8));
        float[] expected;
        using (LibTorch.NoGrad()) expected = network.Forward(input).ToArray<float>();

        using var copy = Network();
        var restored = NetworkQuantization.Prepare(copy);
        copy.LoadStateDict(network.StateDict()); // the folded layout (batch norms replaced, biases added)
        restored.Restore(ranges);
        Assert.Equal(QuantizationMode.Quantize, restored.Mode);
        float[] actual;
        using (LibTorch.NoGrad()) actual = copy.Forward(input).ToArray<float>();
        Assert.Equal(expected, actual);
        Assert.Throws<ArgumentException>(() => restored.Restore(new Dictionary<string, QuantizationRanges> { ["nowhere"] = new((0, 1), (0, 1)) }));
    }

    [Fact]
    public void QuantizationAwareTrainingPassesGradientsToTheWeights()
    {
        using var network = Network();
        var quantization = NetworkQuantization.Prepare(network, averagingConstant: 0.01);
        quantization.Calibrate(Batches(1));
        quantization.Mode = QuantizationMode.Train;
        network.Train();
        using var scope = DisposeScope.Begin();
        var logits = network.Forward(Tensor.Randn([2, 3, 64, 64], new Generator(3)));
        logits.Square().Mean().Backward();
        var classifier = network.Head.LowClassifier;
        using var grad = classifier.Weight.Grad;
        Assert.NotNull(grad);
        Assert.True(grad!.Abs().Sum().ToDouble() > 0);
    }

    [Fact]
    public void AQuantizedNetworkExportsAsAQdqGraphThatOnnxRuntimeRunsInInt8()
    {
        using var network = Network();
        var quantization = NetworkQuantization.Prepare(network);
        quantization.Calibrate(Batches(4));
        using var scope = DisposeScope.Begin();
        var input = Tensor.Randn([1, 3, 64, 64], new Generator(10));
        var export = OnnxExporter.Export(x => [network.Forward(x[0])], [input], new OnnxExportOptions { InputNames = ["image"] }, network);
        var bytes = export.ToByteArray();
        OnnxCheck.AssertValid(bytes);
        int convolutions = export.OperatorCounts["Conv"]; // the backbone's last 1x1 convolution is not used by the head
        Assert.Equal(quantization.Quantizers.Count - 1, convolutions);
        Assert.Equal(3 * convolutions, export.OperatorCounts["QuantizeLinear"]); // input, weight and output of each

        Tensor expected;
        using (LibTorch.NoGrad()) expected = network.Forward(input);
        var actual = OnnxCheck.Run(bytes, ("image", input))[0];
        double error = (actual - expected).Abs().Mean().ToDouble() / expected.Abs().Mean().ToDouble();
        Assert.True(error < 0.05, $"ONNX Runtime's int8 result differs from the fake-quantised one by {error:P2} (relative mean)");

        var optimized = OnnxCheck.OptimizedOperators(bytes);
        Assert.True(optimized.GetValueOrDefault("QLinearConv") >= convolutions / 2,
            $"ONNX Runtime runs {optimized.GetValueOrDefault("QLinearConv")} of {convolutions} convolutions in int8: {string.Join(", ", optimized.Select(kv => $"{kv.Key} {kv.Value}"))}");
    }
}
