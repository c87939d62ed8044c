using System.Text.Json;
using Exemplar.Models;
using Exemplar.Models.Deployment;
using Exemplar.Models.Onnx.Export;
using Exemplar.Torch;
using Exemplar.Torch.IO;
using Exemplar.Torch.Nn;

namespace Exemplar.InContext.Deployment;

/// <summary>What goes into a bundle.</summary>
public sealed record BundleOptions
{
    /// <summary>The bundle's name (default: the encoder's and the precision).</summary>
    public string? Name { get; init; }

    /// <summary>Where the weights come from (a URL or a description), recorded in the manifest.</summary>
    public required string WeightsSource { get; init; }

    /// <summary>The weights' licence, recorded in the manifest.</summary>
    public required string WeightsLicence { get; init; }

    /// <summary>
    /// The ONNX model zoo's int8 MobileNetV2 file to run the encoder in int8 (only for <c>mobilenetv2</c>); null traces
    /// the float32 encoder from Exemplar.Torch.
    /// </summary>
    public string? Int8MobileNetV2 { get; init; }

    /// <summary>
    /// A propagation decoder (<see cref="LearnedDecoder.PriorProjection"/>) trained for the same encoder and levels, or
    /// null: the bundle then also holds a <c>tracker</c> graph, the decoder graph with the previous frame's masks as one
    /// more input, which the runtime's video tracker uses.
    /// </summary>
    public LearnedDecoder? TrackerDecoder { get; init; }
}

/// <summary>
/// Writes an <c>.exemplar</c> bundle (see <see cref="BundleManifest"/>) for a segmenter: the encoder traced from
/// Exemplar.Torch (or the zoo's int8 MobileNetV2 graph), the prompt and decoder graphs traced from
/// <see cref="PromptEncoder.EncodeLevel"/> and <see cref="Segmenter.DecodeLogits"/> (the trained
/// <see cref="LearnedDecoder"/>'s weights included, when the segmenter has one) with examples and classes left
/// dynamic, and the fixed image and restoration graphs. Both decoders take the same inputs, so prompts are shared
/// between bundles that differ only in their decoder.
/// </summary>
public static class BundleExporter
{
    /// <summary>Exports <paramref name="segmenter"/> to <paramref name="path"/> (an existing file is replaced only with <paramref name="overwrite"/>).</summary>
    public static BundleManifest Export(Segmenter segmenter, string path, BundleOptions options, bool overwrite = false)
    {
        if (!overwrite && AtomicFile.Exists(path)) throw new IOException($"{path} exists; pass --force to replace it");
        var so = segmenter.Options;
        so.Validate(segmenter.Encoder);
        bool int8 = options.Int8MobileNetV2 is not null;
        if (int8 && segmenter.EncoderName != "mobilenetv2") throw new ArgumentException($"an int8 encoder graph exists only for mobilenetv2, not {segmenter.EncoderName}");
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        var module = segmenter.Encoder as Module ?? throw new ArgumentException("the encoder must be an Exemplar.Torch module to be exported");
        module.Eval();

        int s = so.InputSize;
        var fine = FineLevelOf(segmenter.Decoder, options.TrackerDecoder);
        var image = Tensor.Randn([1, 3, s, s], new Generator(0));
        IReadOnlyList<int> encoded = fine is null ? so.Levels : [.. so.Levels, fine.Level];
        var all = segmenter.Encoder.ForwardIntermediates(image, encoded);
        var maps = all.Take(so.Levels.Count).ToList();
        int levels = maps.Count;
        string[] levelNames = [.. Enumerable.Range(0, levels).Select(l => $"level{l}")];
        string[] encoderOutputs = fine is null ? levelNames : [.. levelNames, BundleManifest.FineOutput];

        byte[] EncoderGraph(IReadOnlyList<int> blocks, string[] outputs) => int8
            ? DeployGraphs.Int8MobileNetV2Levels(options.Int8MobileNetV2!, blocks, outputs).ToByteArray()
            : OnnxExporter.Export(x => [.. segmenter.Encoder.ForwardIntermediates(x[0], blocks).Select(m => m.Features)], [image],
                new OnnxExportOptions { InputNames = ["image"], OutputNames = outputs, DynamicAxes = Axes(["image", .. outputs], 0, "batch") }, module).ToByteArray();
        byte[] encoder = EncoderGraph(encoded, encoderOutputs);
        // Prompts depend on the level maps alone: the fingerprint is the one of the encoder without the fine output, so
        // bundles that differ only in their decoders (refining or not) share prompts.
        byte[] promptEncoder = fine is null ? encoder : EncoderGraph(so.Levels, levelNames);

        // Example inputs with two examples and two classes, so no size-1 axis is special-cased by the trace.
        var levelMaps = maps.Select(m => m.Features).ToArray();
        var fineMap = fine is null ? null : all[^1].Features;
        var masks = Tensor.Rand([1, 2, s, s], new Generator(1)).Gt(0.5).To(DType.Float32);
        var labelled = Tensor.Ones([1, 1, s, s]);
        string[] promptOutputs = [.. Enumerable.Range(0, levels).SelectMany(l => new[] { $"features{l}", $"foreground{l}", $"valid{l}" })];
        var promptAxes = Axes(["masks", .. Enumerable.Range(0, levels).Select(l => $"foreground{l}")], 1, "classes");
        var prompt = OnnxExporter.Export(
            x => [.. Enumerable.Range(0, levels).SelectMany(l => { var p = PromptEncoder.EncodeLevel(x[l], x[levels], x[levels + 1]); return new[] { p.Features, p.Foreground, p.Valid }; })],
            [.. levelMaps, masks, labelled],
            new OnnxExportOptions { InputNames = [.. levelNames, "masks", "labelled"], OutputNames = promptOutputs, DynamicAxes = promptAxes }).ToByteArray();

        var examples = Enumerable.Range(0, levels).Select(l =>
        {
            var p = PromptEncoder.EncodeLevel(Tensor.Cat([levelMaps[l], levelMaps[l] * -1]), Tensor.Cat([masks, masks.Flip([1])]), Tensor.Cat([labelled, labelled]));
            return p;
        }).ToList();
        var guide = Tensor.Rand([1, 1, s, s], new Generator(2));
        var decoderAxes = new Dictionary<string, IReadOnlyDictionary<int, string>> { ["logits"] = new Dictionary<int, string> { [1] = "classes" } };
        for (int l = 0; l < levels; l++)
        {
            decoderAxes[$"features{l}"] = new Dictionary<int, string> { [0] = "examples" };
            decoderAxes[$"foreground{l}"] = new Dictionary<int, string> { [0] = "examples", [1] = "classes" };
            decoderAxes[$"valid{l}"] = new Dictionary<int, string> { [0] = "examples" };
        }
        var prior = Tensor.Rand([1, 2, s, s], new Generator(3)).Gt(0.5).To(DType.Float32);
        // A decoder graph's inputs: the level maps, the fine map when it refines, the guide, the prompt, the prior when it propagates.
        byte[] DecoderGraph(Segmenter decoding, bool propagates)
        {
            bool refines = decoding.Decoder?.Fine is not null;
            string[] names = [.. levelNames, .. refines ? [BundleManifest.FineOutput] : Array.Empty<string>(), "guide", .. promptOutputs, .. propagates ? ["prior"] : Array.Empty<string>()];
            Tensor[] inputs = [.. levelMaps, .. refines ? [fineMap!] : Array.Empty<Tensor>(), guide, .. examples.SelectMany(p => new[] { p.Features, p.Foreground, p.Valid }), .. propagates ? [prior] : Array.Empty<Tensor>()];
            int mapCount = levels + (refines ? 1 : 0);
            var axes = propagates ? new Dictionary<string, IReadOnlyDictionary<int, string>>(decoderAxes) { ["prior"] = new Dictionary<int, string> { [1] = "classes" } } : decoderAxes;
            return OnnxExporter.Export(
                x => [decoding.DecodeLogits(x[..mapCount], x[mapCount],
                    [.. Enumerable.Range(0, levels).Select(l => new PromptLevel(x[mapCount + 1 + 3 * l], x[mapCount + 2 + 3 * l], x[mapCount + 3 + 3 * l]))],
                    propagates ? x[^1] : null)],
                inputs,
                new OnnxExportOptions { InputNames = names, OutputNames = ["logits"], DynamicAxes = axes }, decoding.Decoder).ToByteArray();
        }
        var decoder = DecoderGraph(segmenter, propagates: false);
        byte[]? tracker = null;
        if (options.TrackerDecoder is { } trackerDecoder)
        {
            if (trackerDecoder.PriorProjection is null) throw new ArgumentException("the tracker decoder reads no mask prior: it is not a propagation decoder");
            if (!trackerDecoder.LevelChannels.SequenceEqual(maps.Select(m => m.Features.Size(1)))) throw new ArgumentException("the tracker decoder was trained for other encoder levels");
            tracker = DecoderGraph(new Segmenter(segmenter.Encoder, segmenter.EncoderName, so, trackerDecoder), propagates: true);
        }

        var graphs = new Dictionary<string, byte[]>
        {
            ["image"] = DeployGraphs.ImagePreparation(segmenter.Encoder.Preprocessing).ToByteArray(),
            ["encoder"] = encoder,
            ["prompt"] = prompt,
            ["decoder"] = decoder,
            ["restore"] = DeployGraphs.Restoration().ToByteArray(),
        };
        if (tracker is not null) graphs["tracker"] = tracker;
        var manifest = new BundleManifest
        {
            Name = options.Name ?? $"{segmenter.EncoderName}-{(int8 ? "int8" : "float32")}-{(segmenter.Decoder is null ? "correspondence" : "learned-decoder")}",
            Encoder = segmenter.EncoderName,
            Precision = int8 ? "int8" : "float32",
            InputSize = s,
            Mean = segmenter.Encoder.Preprocessing.Mean,
            Std = segmenter.Encoder.Preprocessing.Std,
            Levels = [.. so.Levels],
            LevelChannels = [.. maps.Select(m => m.Features.Size(1))],
            LevelStrides = [.. maps.Select(m => m.Stride)],
            FineLevel = fine?.Level,
            FineChannels = fine?.Channels,
            FineStride = fine is null ? null : all[^1].Stride,
            Threshold = so.Threshold,
            WeightsSource = options.WeightsSource,
            WeightsLicence = options.WeightsLicence,
            Fingerprint = Fingerprint(new Dictionary<string, byte[]>(graphs) { ["encoder"] = promptEncoder }, s, so.Levels),
            Graphs = graphs.Keys.ToDictionary(k => k, k => $"{k}.onnx"),
        };
        BundleFile.Write(path, manifest, graphs, overwrite: true);
        return manifest;
    }

    /// <summary>The fine level the bundle's decoders refine at (they must agree), or null when neither refines.</summary>
    private static FineLevel? FineLevelOf(LearnedDecoder? decoder, LearnedDecoder? tracker)
    {
        if (decoder?.Fine is { } a && tracker?.Fine is { } b && a != b)
            throw new ArgumentException($"the decoder refines at level {a.Level} and the tracker decoder at level {b.Level}: one bundle's encoder gives one fine level");
        return decoder?.Fine ?? tracker?.Fine;
    }

    /// <summary>
    /// What makes prompt features comparable: the image, encoder (without a fine output) and prompt graphs and the
    /// input size and levels (16 hex digits of SHA-256). Two bundles share prompts exactly when these agree.
    /// </summary>
    private static string Fingerprint(Dictionary<string, byte[]> graphs, int inputSize, IReadOnlyList<int> levels) =>
        BundleFile.Fingerprint(graphs, ["image", "encoder", "prompt"], $"{inputSize};{string.Join(",", levels)}");

    private static Dictionary<string, IReadOnlyDictionary<int, string>> Axes(IEnumerable<string> names, int axis, string symbol) =>
        names.ToDictionary(n => n, _ => (IReadOnlyDictionary<int, string>)new Dictionary<int, string> { [axis] = symbol });
}
