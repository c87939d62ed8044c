using System.IO.Compression;
using System.Text.Json;
using Exemplar.InContext.Deployment;
using Exemplar.Models;
using Exemplar.Models.Deployment;
using Exemplar.Models.Zoo;
using Exemplar.TestSupport.Onnx;
using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.InContext.Tests.Deployment;

/// <summary>
/// Each graph of an exported bundle against the Exemplar.Torch code it was traced from, on new inputs (other numbers of
/// examples and classes than the trace saw), and through the official checker.
/// </summary>
public sealed class BundleExporterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("exemplar-bundle-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("mobilenetv2", 128)]
    [InlineData("resnet50", 128)]
    [InlineData("dinov2_vits14", 112)]
    [InlineData("mobilenetv2", 128, true)]
    [InlineData("dinov2_vits14", 112, true)]
    [InlineData("mobilenetv2", 128, true, 6)]
    public void EveryGraphMatchesTheTorchCodeItWasTracedFrom(string name, int size, bool learned = false, int? trackerFineLevel = null)
    {
        using var scope = DisposeScope.Begin();
        using var encoder = ModelZoo.Get(name).Create();
        ((Module)encoder).Eval();
        var options = SegmenterOptions.For(encoder) with { InputSize = size, GuidedRadius = 8 };
        using var decoder = learned ? RandomDecoder(encoder, options) : null;
        // With a trained decoder, also a propagation decoder: the bundle's tracker graph (refining at a finer level, while
        // the image decoder does not: the encoder gives the fine map, only the tracker graph takes it).
        using var tracker = learned ? RandomDecoder(encoder, options, prior: true, trackerFineLevel) : null;
        var segmenter = new Segmenter(encoder, name, options, decoder);
        string path = Path.Combine(_dir, $"{name}.exemplar");
        var manifest = BundleExporter.Export(segmenter, path, new BundleOptions { WeightsSource = "random", WeightsLicence = "none", TrackerDecoder = tracker });
        Assert.Equal(learned, manifest.Graphs.ContainsKey("tracker"));
        Assert.Equal(trackerFineLevel, manifest.FineLevel);
        if (trackerFineLevel is not null)
        {
            // Its encoder's extra output changes no level map: prompts are shared with the bundle without the refinement.
            var plain = BundleExporter.Export(segmenter, Path.Combine(_dir, "plain.exemplar"), new BundleOptions { WeightsSource = "random", WeightsLicence = "none" });
            Assert.Null(plain.FineLevel);
            Assert.Equal(plain.Fingerprint, manifest.Fingerprint);
        }
        Assert.Throws<IOException>(() => BundleExporter.Export(segmenter, path, new BundleOptions { WeightsSource = "random", WeightsLicence = "none" }));

        using var zip = ZipFile.OpenRead(path);
        byte[] Graph(string role)
        {
            using var stream = zip.GetEntry(manifest.Graphs[role])!.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
        using (var stream = zip.GetEntry("manifest.json")!.Open())
        {
            Assert.Equal(manifest.Fingerprint, JsonSerializer.Deserialize<BundleManifest>(stream)!.Fingerprint);
        }
        foreach (var role in manifest.Graphs.Keys) OnnxCheck.AssertValid(Graph(role));

        using var noGrad = LibTorch.NoGrad();
        int levels = options.Levels.Count;
        var image = Tensor.Randn([1, 3, size, size], new Generator(5));
        var maps = segmenter.Encoder.ForwardIntermediates(image, options.Levels).Select(m => m.Features).ToArray();
        var onnxMaps = OnnxCheck.Run(Graph("encoder"), ("image", image));
        Assert.Equal(levels + (trackerFineLevel is null ? 0 : 1), onnxMaps.Length);
        for (int l = 0; l < levels; l++) AssertClose(maps[l], onnxMaps[l], 1e-4, $"{name} encoder level {l}");
        var fine = trackerFineLevel is { } f ? segmenter.Encoder.ForwardIntermediates(image, [f])[0].Features : null;
        if (fine is not null) AssertClose(fine, onnxMaps[^1], 1e-4, $"{name} encoder fine level");

        // Three examples of three classes (the trace saw two and two).
        var examples = Enumerable.Range(0, 3).Select(k =>
        {
            var x = Tensor.Randn([1, 3, size, size], new Generator(10 + (ulong)k));
            var m = Tensor.Rand([1, 3, size, size], new Generator(20 + (ulong)k)).Gt(0.6).To(DType.Float32);
            var valid = Tensor.Ones([1, 1, size, size]);
            return (Maps: segmenter.Encoder.ForwardIntermediates(x, options.Levels).Select(f => f.Features).ToArray(), Masks: m, Valid: valid);
        }).ToList();
        var promptLevels = new List<PromptLevel>();
        for (int l = 0; l < levels; l++)
        {
            var perExample = examples.Select(e => PromptEncoder.EncodeLevel(e.Maps[l], e.Masks, e.Valid)).ToList();
            promptLevels.Add(new PromptLevel(Tensor.Cat([.. perExample.Select(p => p.Features)]), Tensor.Cat([.. perExample.Select(p => p.Foreground)]), Tensor.Cat([.. perExample.Select(p => p.Valid)])));
        }
        var first = examples[0];
        var onnxPrompt = OnnxCheck.Run(Graph("prompt"), [.. Enumerable.Range(0, levels).Select(l => ($"level{l}", first.Maps[l])), ("masks", first.Masks), ("labelled", first.Valid)]);
        for (int l = 0; l < levels; l++)
        {
            var expected = PromptEncoder.EncodeLevel(first.Maps[l], first.Masks, first.Valid);
            AssertClose(expected.Features, onnxPrompt[3 * l], 1e-5, $"{name} prompt features {l}");
            AssertClose(expected.Foreground, onnxPrompt[3 * l + 1], 1e-6, $"{name} prompt foreground {l}");
            AssertClose(expected.Valid, onnxPrompt[3 * l + 2], 1e-6, $"{name} prompt valid {l}");
        }

        var guide = Tensor.Rand([1, 1, size, size], new Generator(6));
        var logits = segmenter.DecodeLogits(maps, guide, promptLevels);
        var inputs = new List<(string, Tensor)>();
        for (int l = 0; l < levels; l++) inputs.Add(($"level{l}", maps[l]));
        inputs.Add(("guide", guide));
        for (int l = 0; l < levels; l++)
        {
            inputs.Add(($"features{l}", promptLevels[l].Features));
            inputs.Add(($"foreground{l}", promptLevels[l].Foreground));
            inputs.Add(($"valid{l}", promptLevels[l].Valid));
        }
        var onnxLogits = OnnxCheck.Run(Graph("decoder"), [.. inputs])[0];
        Assert.Equal([1L, 3, size, size], onnxLogits.Shape);
        AssertClose(logits, onnxLogits, 1e-3, $"{name} decoder logits");
        if (tracker is null) return;

        // The tracker graph: the same inputs and the previous frame's masks of the three classes.
        var prior = Tensor.Rand([1, 3, size, size], new Generator(7)).Gt(0.5).To(DType.Float32);
        var tracked = new Segmenter(encoder, name, options, tracker).DecodeLogits(fine is null ? maps : [.. maps, fine], guide, promptLevels, prior);
        Assert.True((tracked - logits).Abs().Max().ToDouble() > 1e-2, "the propagation decoder's own weights and prior");
        var onnxTracked = OnnxCheck.Run(Graph("tracker"), [.. inputs, .. fine is null ? [] : new[] { ("fine", fine!) }, ("prior", prior)])[0];
        AssertClose(tracked, onnxTracked, 1e-3, $"{name} tracker logits");
    }

    /// <summary>
    /// A trained-decoder stand-in with a presence head (and a prior projection for a propagation decoder, a refinement
    /// with a fine level): random weights everywhere, the zero-initialised parts included, in evaluation mode.
    /// </summary>
    private static LearnedDecoder RandomDecoder(IImageEncoder encoder, SegmenterOptions options, bool prior = false, int? fineLevel = null)
    {
        var (channels, fine) = Exemplar.InContext.Training.InContextRecipeRunner.Channels(encoder, options, fineLevel);
        var decoder = new LearnedDecoder(channels, width: 16, presence: true, prior, fine);
        ulong seed = prior ? 140UL : 40;
        foreach (var (_, p) in decoder.NamedParameters()) Init.Normal_(p, 0, 0.3, new Generator(seed++));
        decoder.Eval();
        return decoder;
    }

    /// <summary>Max |a − b| ≤ tolerance × max(1, max |a|).</summary>
    private static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double diff = (expected - actual).Abs().Max().ToDouble();
        double scale = Math.Max(1, expected.Abs().Max().ToDouble());
        Assert.True(diff <= tolerance * scale, $"{what}: max abs difference {diff:E2} at scale {scale:F1}");
    }
}
