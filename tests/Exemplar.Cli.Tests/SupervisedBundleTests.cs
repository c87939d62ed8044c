using Exemplar.Models.Deployment;
using Exemplar.Models.Quantization;
using Exemplar.Models.Segmentation;
using Exemplar.Runtime;
using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Transforms;

namespace Exemplar.Cli.Tests;

/// <summary>A supervised network exported as a bundle runs in Exemplar.Runtime as it runs in Exemplar.Torch, in float and in int8.</summary>
public sealed class SupervisedBundleTests : CliTest
{
    private const int Size = 96;
    private static readonly string[] Classes = ["sky", "ground", "thing"];

    private static string Cat => Path.Combine(SharedFolder.RepositoryRoot, "samples", "perseg", "cat_01.jpg");

    private static LrAsppMobileNetV2 Network()
    {
        LibTorch.ManualSeed(21);
        var network = new LrAsppMobileNetV2(Classes.Length);
        network.Eval();
        return network;
    }

    /// <summary>The labels Exemplar.Torch gives for the image: resize the longest side and pad, run, restore, argmax + 1.</summary>
    private static byte[] TorchLabels(SegmentationNetwork network, string path)
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        using var decoded = ImageReader.Read(path, new ImageReadOptions(Channels: ImageChannels.Rgb));
        var image = decoded.Pixels;
        var resizer = new ResizeLongestSidePad(new ResizePadOptions { Size = Size, MaskIgnore = 0 });
        var geometry = resizer.GeometryFor((int)image.Size(1), (int)image.Size(2));
        var input = Normalize.Forward(resizer.ResizeImage(image, geometry), new NormalizeOptions(network.Preprocessing.Mean, network.Preprocessing.Std)).Unsqueeze(0);
        var logits = network.Forward(input);
        var restored = ResizeLongestSidePad.RestoreScores(logits[0], geometry);
        return [.. restored.Argmax(0).ToArray<long>().Select(l => (byte)(l + 1))];
    }

    private static double Agreement(byte[] a, byte[] b) => a.Zip(b, (x, y) => x == y ? 1.0 : 0.0).Average();

    private string Export(SegmentationNetwork network, string name, string precision)
    {
        string path = PathOf(name);
        SupervisedBundleExporter.Export(network, path, new SupervisedBundleOptions
        {
            Network = "lraspp_mobilenetv2", InputSize = Size, Classes = Classes, WeightsSource = "random (test)", WeightsLicence = "none", Precision = precision,
        });
        return path;
    }

    [Fact]
    public void AFloatBundleSegmentsAsTheNetworkDoes()
    {
        using var network = Network();
        string bundle = Export(network, "float.exemplar", "float32");
        using var model = ExemplarModel.Load(bundle);
        Assert.True(model.Info.IsSupervised);
        Assert.Equal(Classes, model.Info.Classes);
        var result = model.Segment(ImageInput.FromFile(Cat));
        Assert.Equal(Classes, result.Classes);
        Assert.All(result.Labels, l => Assert.InRange(l, (byte)1, (byte)Classes.Length)); // every pixel gets a class
        var sum = new float[result.Labels.Length];
        for (int c = 0; c < Classes.Length; c++)
        {
            var scores = result.Scores(c);
            for (int i = 0; i < sum.Length; i++) sum[i] += scores[i];
        }
        Assert.All(sum, s => Assert.Equal(1f, s, 3));
        double agree = Agreement(result.Labels, TorchLabels(network, Cat));
        Assert.True(agree > 0.99, $"the runtime agrees with Exemplar.Torch on {agree:P2} of the pixels");

        // The demo segments by example: it refuses to serve a supervised bundle at start-up, not per request.
        Assert.Contains("supervised network's bundle", Assert.Throws<ArgumentException>(() => new Exemplar.Web.ModelService(new Exemplar.Web.ExemplarWebOptions { ModelPath = bundle })).Message);

        var e = Assert.Throws<InvalidOperationException>(() => model.Encode([new Example(ImageInput.FromFile(Cat), [new ClassMask("cat", ImageInput.FromFile(Cat))])]));
        Assert.Contains("supervised network with fixed classes", e.Message);
    }

    [Fact]
    public void AnInt8BundleRunsTheQuantisedNetwork()
    {
        using var network = Network();
        var quantization = NetworkQuantization.Prepare(network);
        quantization.Calibrate(Enumerable.Range(0, 3).Select(i => Tensor.Randn([1, 3, Size, Size], new Generator((ulong)i))));
        string bundle = Export(network, "int8.exemplar", "int8");
        using var model = ExemplarModel.Load(bundle);
        Assert.Equal("int8", model.Info.Precision);
        var result = model.Segment(ImageInput.FromFile(Cat));
        double agree = Agreement(result.Labels, TorchLabels(network, Cat));
        Assert.True(agree > 0.95, $"the int8 runtime agrees with the fake-quantised network on {agree:P2} of the pixels");
    }

    [Fact]
    public void AnExampleBundleRefusesToSegmentWithoutAPrompt()
    {
        using var model = ExemplarModel.Load(Path.Combine(SharedFolder.RepositoryRoot, "models", "mobilenetv2-int8.exemplar"));
        var e = Assert.Throws<InvalidOperationException>(() => model.Segment(ImageInput.FromFile(Cat)));
        Assert.Contains("segments by example", e.Message);
    }
}
