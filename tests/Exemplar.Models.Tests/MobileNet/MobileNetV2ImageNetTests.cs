using System.Globalization;
using Exemplar.Models.Onnx;
using Exemplar.Torch;
using Xunit.Abstractions;
using Net = Exemplar.Models.MobileNet.MobileNetV2;

namespace Exemplar.Models.Tests.MobileNetV2;

/// <summary>Loads the model zoo's weights once per test class (lazily, so skipped tests cost nothing).</summary>
public sealed class ImageNetMobileNetV2 : IDisposable
{
    public const string WeightsFile = "weights/mobilenetv2-12-int8.onnx";

    private readonly Lazy<Net> _net = new(() => Net.FromOnnx(SharedFolder.PathOf(WeightsFile)));

    public Net Net => _net.Value;

    public void Dispose()
    {
        if (_net.IsValueCreated) _net.Value.Dispose();
    }
}

/// <summary>The dequantised ImageNet weights recognise real photos.</summary>
public class MobileNetV2ImageNetTests(ImageNetMobileNetV2 fixture, ITestOutputHelper output) : IClassFixture<ImageNetMobileNetV2>
{
    private const string WeightsFile = ImageNetMobileNetV2.WeightsFile;
    private const string Davis = "data/davis2016/JPEGImages/480p/";

    /// <summary>
    /// Top-5 (class, probability) for each photo, computed once with torch 1.13 (F.conv2d, F.interpolate with
    /// antialias, PIL decoding) from the same dequantised weights by an independent Python script of the mapping.
    /// </summary>
    private static readonly Dictionary<string, (int Class, double P)[]> Reference = new()
    {
        ["data/samples/perseg/cat_00.jpg"] = [(282, 0.4665), (281, 0.3012), (285, 0.1620), (292, 0.0441), (728, 0.0057)],
        ["data/samples/perseg/cat_01.jpg"] = [(287, 0.3810), (285, 0.2789), (282, 0.0967), (286, 0.0695), (292, 0.0643)],
        ["data/samples/perseg/cat_02.jpg"] = [(285, 0.5459), (287, 0.3253), (282, 0.0534), (281, 0.0216), (292, 0.0145)],
        [Davis + "dog/00000.jpg"] = [(216, 0.9229), (219, 0.0250), (212, 0.0219), (220, 0.0075), (207, 0.0045)],
        [Davis + "dog/00020.jpg"] = [(257, 0.2889), (222, 0.2888), (207, 0.1596), (216, 0.1471), (258, 0.0472)],
        [Davis + "dog/00040.jpg"] = [(212, 0.7284), (216, 0.0489), (222, 0.0349), (257, 0.0335), (215, 0.0248)],
        [Davis + "camel/00000.jpg"] = [(354, 0.5860), (339, 0.2537), (345, 0.1235), (690, 0.0107), (346, 0.0106)],
        [Davis + "camel/00020.jpg"] = [(354, 0.9579), (339, 0.0209), (345, 0.0136), (346, 0.0018), (385, 0.0016)],
        [Davis + "camel/00040.jpg"] = [(354, 0.5855), (345, 0.2759), (690, 0.0575), (346, 0.0247), (385, 0.0246)],
    };

    [SharedFact(WeightsFile, "data/samples/perseg/cat_00.jpg", "data/samples/perseg/cat_01.jpg", "data/samples/perseg/cat_02.jpg")]
    public void PersegCatsAreCats() =>
        Classify(["data/samples/perseg/cat_00.jpg", "data/samples/perseg/cat_01.jpg", "data/samples/perseg/cat_02.jpg"], c => c is >= 281 and <= 285, "a domestic cat (281–285)");

    [SharedFact(WeightsFile, Davis + "dog/00000.jpg", Davis + "dog/00020.jpg", Davis + "dog/00040.jpg")]
    public void DavisDogFramesAreDogs() =>
        Classify([Davis + "dog/00000.jpg", Davis + "dog/00020.jpg", Davis + "dog/00040.jpg"], c => c is >= 151 and <= 268, "a dog (151–268)");

    [SharedFact(WeightsFile, Davis + "camel/00000.jpg", Davis + "camel/00020.jpg", Davis + "camel/00040.jpg")]
    public void DavisCamelFramesAreArabianCamels() =>
        Classify([Davis + "camel/00000.jpg", Davis + "camel/00020.jpg", Davis + "camel/00040.jpg"], c => c == 354, "Arabian camel (354)");

    [SharedFact(WeightsFile, Davis + "camel/00020.jpg")]
    public void WorksAt448()
    {
        using var noGrad = LibTorch.NoGrad();
        using var scope = DisposeScope.Begin();
        var image = TestJpeg.ImageNetInput(SharedFolder.PathOf(Davis + "camel/00020.jpg"), resize: 512, crop: 448);
        using (var features = fixture.Net.ForwardFeatures(image)) Assert.Equal([1L, 1280, 14, 14], features.Features.Shape);
        var top = Functional.Softmax(fixture.Net.Forward(image), 1).Topk(5);
        var classes = top.Indices.ToArray<long>();
        output.WriteLine($"camel/00020 at 448: {Describe(classes, top.Values.ToArray<float>())}");
        Assert.Contains(354L, classes);
    }

    [SharedFact(WeightsFile)]
    public void WeightsAreTheDequantisedInitializersInTorchLayout()
    {
        var graph = OnnxModel.Load(SharedFolder.PathOf(WeightsFile)).Graph;
        var state = fixture.Net.StateDict();
        float Value(string name, params long[] index)
        {
            using var t = graph.Initializer(name)!.ToTensor();
            using var v = t[[.. index.Select(i => (TensorIndex)(int)i)]];
            return (float)v.ToDouble();
        }
        float Loaded(string key, params int[] index)
        {
            using var v = state[key][[.. index.Select(i => (TensorIndex)i)]];
            return (float)v.ToDouble();
        }
        // The classifier's ONNX weight is [in 1280, out 1000] with a scale per output column; ours is [out, in].
        Assert.Equal(Value("classifier.1.weight_quantized", 700, 281) * Value("classifier.1.weight_scale", 281), Loaded("classifier.1.weight", 281, 700), 6);
        Assert.Equal((Value("classifier.1.bias_quantized", 281) - Value("classifier.1.bias_zero_point")) * Value("classifier.1.bias_scale"), Loaded("classifier.1.bias", 281), 5);
        // features.1.conv.0.0 (depthwise, node Conv_2): bias = int32 · input scale · per-channel weight scale.
        Assert.Equal(Value("478_quantized", 7, 0, 1, 2) * Value("478_scale", 7), Loaded("features.1.conv.0.0.weight", 7, 0, 1, 2), 6);
        Assert.Equal(Value("479_quantized", 7) * (double)Value("474_scale") * Value("478_scale", 7), Loaded("features.1.conv.0.0.bias", 7), 5);
    }

    private void Classify(string[] photos, Func<long, bool> isExpected, string what)
    {
        using var noGrad = LibTorch.NoGrad();
        using var scope = DisposeScope.Begin();
        var batch = Tensor.Cat(photos.Select(p => TestJpeg.ImageNetInput(SharedFolder.PathOf(p))).ToArray());
        var probabilities = Functional.Softmax(fixture.Net.Forward(batch), 1);
        for (int i = 0; i < photos.Length; i++)
        {
            var p = probabilities[i];
            var top = p.Topk(5);
            var classes = top.Indices.ToArray<long>();
            output.WriteLine($"{photos[i]}: {Describe(classes, top.Values.ToArray<float>())}");
            Assert.True(classes.Any(isExpected), $"{photos[i]}: no {what} in the top 5 ({string.Join(", ", classes)})");
            var all = p.ToArray<float>();
            foreach (var (c, expected) in Reference[photos[i]]) Assert.Equal(expected, all[c], 0.005);
        }
    }

    private static string Describe(long[] classes, float[] probabilities) =>
        string.Join(", ", classes.Zip(probabilities, (c, p) => string.Create(CultureInfo.InvariantCulture, $"{c} {p:F4}")));
}
