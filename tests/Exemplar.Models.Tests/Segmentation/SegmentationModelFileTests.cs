using System.Text.Json.Nodes;
using Exemplar.Models.Segmentation;
using Exemplar.Torch;
using Exemplar.Torch.Serialization;

namespace Exemplar.Models.Tests.Segmentation;

/// <summary>The supervised model file: what it records, that it rebuilds the same network, and its errors.</summary>
public sealed class SegmentationModelFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("exemplar-model-file-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static SegmentationNetwork Network(int classes)
    {
        LibTorch.ManualSeed(3);
        var network = SegmentationZoo.Get("lraspp_mobilenetv2").Create(classes, null);
        network.Eval();
        return network;
    }

    private static SegmentationModelInfo Info(SegmentationNetwork network, params string[] classes) =>
        SegmentationModelInfo.For("lraspp_mobilenetv2", network, classes, 255, "Tiny (train)", "tiny.yaml");

    [Fact]
    public void RoundTripsTheNetworkAndItsDescription()
    {
        string path = Path.Combine(_folder, "model.safetensors");
        using var network = Network(3);
        SegmentationModelFile.Save(path, network, Info(network, "sky", "road", "car"));

        var (loaded, info) = SegmentationModelFile.Load(path);
        using (loaded)
        {
            Assert.Equal("lraspp_mobilenetv2", info.Model);
            Assert.Equal(["sky", "road", "car"], info.Classes);
            Assert.Equal(255, info.IgnoreLabel);
            Assert.Equal(network.Preprocessing.Mean, info.Mean);
            Assert.Equal(network.Preprocessing.Std, info.Std);
            Assert.Equal(32, info.SizeMultiple);
            Assert.Equal("Tiny (train)", info.TrainedOn);
            Assert.Equal("tiny.yaml", info.Recipe);
            Assert.False(loaded.Training);
            Assert.Equal(3, loaded.ClassCount);
            using var scope = DisposeScope.Begin();
            using var noGrad = LibTorch.NoGrad();
            var x = Tensor.Randn([1, 3, 64, 64]);
            Assert.Equal(network.Forward(x).ToArray<float>(), loaded.Forward(x).ToArray<float>());
        }
        Assert.Equal(info.Classes, SegmentationModelFile.ReadInfo(path).Classes);

        // The metadata is plain JSON under one key, readable without Exemplar.
        using var file = SafeTensorsFile.Open(path);
        var json = JsonNode.Parse(file.Metadata[SegmentationModelFile.MetadataKey])!.AsObject();
        Assert.Equal(1, (int)json["format"]!);
        Assert.Equal(3, json["classes"]!.AsArray().Count);
        Assert.Equal("pt", file.Metadata["format"]);
    }

    [Fact]
    public void SaveRefusesAMismatchedDescriptionAndAnExistingFile()
    {
        string path = Path.Combine(_folder, "model.safetensors");
        using var network = Network(2);
        Assert.Throws<ArgumentException>(() => SegmentationModelFile.Save(path, network, Info(network, "only one")));
        SegmentationModelFile.Save(path, network, Info(network, "a", "b"));
        Assert.Throws<IOException>(() => SegmentationModelFile.Save(path, network, Info(network, "a", "b")));
        SegmentationModelFile.Save(path, network, Info(network, "a", "b"), overwrite: true);
    }

    [Fact]
    public void APlainStateDictIsNotAModelFile()
    {
        string path = Path.Combine(_folder, "plain.safetensors");
        using var network = Network(2);
        SafeTensors.Save(path, network.StateDict(), new Dictionary<string, string> { ["format"] = "pt" });
        var e = Assert.Throws<CheckpointFormatException>(() => SegmentationModelFile.Load(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("not an Exemplar segmentation model file", e.Message);
    }

    [Fact]
    public void NamesTheProblemOfABrokenFile()
    {
        using var network = Network(2);
        var good = Info(network, "a", "b");

        string unknown = Path.Combine(_folder, "unknown.safetensors");
        SafeTensors.Save(unknown, network.StateDict(), SegmentationModelFile.Metadata(good with { Model = "unet_giant" }));
        var e1 = Assert.Throws<CheckpointFormatException>(() => SegmentationModelFile.Load(unknown));
        Assert.Contains("unet_giant", e1.Message);
        Assert.Contains("lraspp_mobilenetv2", e1.Message);

        string misfit = Path.Combine(_folder, "misfit.safetensors");
        SafeTensors.Save(misfit, network.StateDict(), SegmentationModelFile.Metadata(good with { Classes = ["a", "b", "c"] }));
        var e2 = Assert.Throws<CheckpointFormatException>(() => SegmentationModelFile.Load(misfit));
        Assert.StartsWith(misfit, e2.Message);
        Assert.Contains("do not fit", e2.Message);
        Assert.Contains("head.low_classifier.weight", e2.Message);

        string future = Path.Combine(_folder, "future.safetensors");
        var metadata = SegmentationModelFile.Metadata(good).ToDictionary();
        metadata[SegmentationModelFile.MetadataKey] = metadata[SegmentationModelFile.MetadataKey].Replace("\"format\":1", "\"format\":9", StringComparison.Ordinal);
        SafeTensors.Save(future, network.StateDict(), metadata);
        Assert.Contains("format 9", Assert.Throws<CheckpointFormatException>(() => SegmentationModelFile.Load(future)).Message);

        string garbled = Path.Combine(_folder, "garbled.safetensors");
        SafeTensors.Save(garbled, network.StateDict(), new Dictionary<string, string> { [SegmentationModelFile.MetadataKey] = "{\"format\":1}" });
        Assert.Contains("has no 'model'", Assert.Throws<CheckpointFormatException>(() => SegmentationModelFile.Load(garbled)).Message);

        string text = Path.Combine(_folder, "notes.safetensors");
        File.WriteAllText(text, "these are not weights at all");
        Assert.StartsWith(text, Assert.Throws<CheckpointFormatException>(() => SegmentationModelFile.Load(text)).Message);

        Assert.Throws<FileNotFoundException>(() => SegmentationModelFile.Load(Path.Combine(_folder, "absent.safetensors")));
    }
}
