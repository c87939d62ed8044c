using Exemplar.Models.Onnx.Export;
using Exemplar.Models.Segmentation;
using Exemplar.Torch;

namespace Exemplar.Models.Deployment;

/// <summary>What a supervised network's bundle records.</summary>
public sealed record SupervisedBundleOptions
{
    /// <summary>The bundle's name (default: the network's zoo name and precision).</summary>
    public string? Name { get; init; }

    /// <summary>The zoo name of the network (recorded as the manifest's encoder).</summary>
    public required string Network { get; init; }

    /// <summary>The square input side S the image is resized (longest side) and padded to; a multiple of the network's size multiple.</summary>
    public required int InputSize { get; init; }

    /// <summary>The class names, in logit order.</summary>
    public required IReadOnlyList<string> Classes { get; init; }

    /// <summary>Where the weights come from (the initial weights and what they were trained on).</summary>
    public required string WeightsSource { get; init; }

    /// <summary>The weights' licence.</summary>
    public required string WeightsLicence { get; init; }

    /// <summary>"float32", or "int8" for a network quantised with <c>NetworkQuantization</c> (a QDQ graph).</summary>
    public string Precision { get; init; } = "float32";
}

/// <summary>
/// Exports a supervised segmentation network as an <c>.exemplar</c> bundle that Exemplar.Runtime runs with ONNX
/// Runtime alone: <c>image</c> (the same preparation graph as every bundle), <c>network</c> (image [1, 3, S, S] →
/// logits [1, C, S, S]) and <c>restore</c> (softmax and argmax at the original size).
/// </summary>
public static class SupervisedBundleExporter
{
    /// <summary>Traces the network (in evaluation mode) and writes the bundle.</summary>
    /// <exception cref="ArgumentException">The input size does not fit the network, or the class names do not match its outputs.</exception>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public static BundleManifest Export(SegmentationNetwork network, string path, SupervisedBundleOptions options, bool overwrite = false)
    {
        int s = options.InputSize;
        if (s < 16 || s % network.Preprocessing.SizeMultiple != 0) throw new ArgumentException($"input size {s} must be at least 16 and a multiple of {network.Preprocessing.SizeMultiple} for {options.Network}");
        if (options.Classes.Count != network.ClassCount) throw new ArgumentException($"{options.Classes.Count} class names for a network with {network.ClassCount} outputs");
        if (options.Classes.Count > 254) throw new ArgumentException($"{options.Classes.Count} classes: a bundle's labels are bytes (at most 254 classes)");
        bool training = network.Training;
        network.Eval();
        try
        {
            using var scope = DisposeScope.Begin();
            using var noGrad = LibTorch.NoGrad();
            var image = Tensor.Randn([1, 3, s, s], new Generator(0));
            var graphs = new Dictionary<string, byte[]>
            {
                ["image"] = DeployGraphs.ImagePreparation(network.Preprocessing).ToByteArray(),
                ["network"] = OnnxExporter.Export(x => [network.Forward(x[0])], [image],
                    new OnnxExportOptions { InputNames = ["image"], OutputNames = ["logits"] }, network).ToByteArray(),
                ["restore"] = DeployGraphs.SupervisedRestoration().ToByteArray(),
            };
            var manifest = new BundleManifest
            {
                Name = options.Name ?? $"{options.Network}-{options.Precision}",
                Encoder = options.Network,
                Precision = options.Precision,
                Decoder = BundleManifest.SupervisedDecoder,
                InputSize = s,
                Mean = network.Preprocessing.Mean,
                Std = network.Preprocessing.Std,
                Levels = [],
                LevelChannels = [],
                LevelStrides = [],
                Classes = [.. options.Classes],
                WeightsSource = options.WeightsSource,
                WeightsLicence = options.WeightsLicence,
                Fingerprint = BundleFile.Fingerprint(graphs, ["image", "network"], $"{s};{string.Join(",", options.Classes)}"),
                Graphs = graphs.Keys.ToDictionary(k => k, k => $"{k}.onnx"),
            };
            BundleFile.Write(path, manifest, graphs, overwrite);
            return manifest;
        }
        finally
        {
            network.Train(training);
        }
    }
}
