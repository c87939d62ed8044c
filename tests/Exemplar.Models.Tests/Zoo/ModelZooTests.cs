using Exemplar.Models.Zoo;
using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Exemplar.Torch.Serialization;
using Exemplar.Vision.Transforms;

namespace Exemplar.Models.Tests.Zoo;

/// <summary>Runs every registered model: the zoo table must never hold a model that does not build or run.</summary>
public class ModelZooTests
{
    public static TheoryData<string> Names => new(ModelZoo.Models.Select(m => m.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryModelBuildsRunsAndReportsItsComplexity(string name)
    {
        var entry = ModelZoo.Get(name);
        Assert.NotEmpty(entry.WeightSources);
        Assert.All(entry.WeightSources, s => Assert.StartsWith("https://", s.Url));

        var complexity = entry.MeasureComplexity();
        Assert.True(complexity.Parameters > 0 && complexity.Macs > 0);
        Assert.Equal(entry.Preprocessing.DefaultSize, complexity.InputSize);

        // A real forward pass at a small size (a multiple of the model's size multiple), on the CPU, for models that
        // fit comfortably; the biggest are exercised on the meta device above.
        int size = entry.Preprocessing.SizeMultiple * Math.Max(1, 64 / entry.Preprocessing.SizeMultiple);
        if (complexity.Parameters > 100_000_000) return;
        using var model = entry.Create();
        ((Module)model).Eval();
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        var features = model.ForwardFeatures(Tensor.Randn([1, 3, size, size], new Generator(0)));
        Assert.Equal([1L, model.FeatureChannels, size / features.Stride, size / features.Stride], features.Features.Shape);
        Assert.False(features.Features.IsNan().Any().Item<bool>());
        Assert.Equal(complexity.Parameters, ((Module)model).ParameterCount());
    }

    [Fact]
    public void WeightFilesAreToldByTheirBytesNotTheirNames()
    {
        string dir = Directory.CreateTempSubdirectory("exemplar-zoo-").FullName;
        try
        {
            string path = Path.Combine(dir, "linear.pth"); // safetensors under a torch.save name
            using (var source = new Linear(2, 3)) SafeTensors.Save(path, source.StateDict());
            using var loaded = ModelZoo.LoadModule(new Linear(2, 3), path);
            using var scope = DisposeScope.Begin();
            Assert.Equal(SafeTensors.Load(path)["weight"].ToBytes(), loaded.Weight.ToBytes());

            string garbage = Path.Combine(dir, "linear.safetensors");
            File.WriteAllText(garbage, "not weights at all");
            var e = Assert.Throws<CheckpointFormatException>(() => ModelZoo.LoadModule(new Linear(2, 3), garbage));
            Assert.Equal(garbage, e.FilePath);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryModelLoadsInEvaluationMode(string name)
    {
        // Whatever a family's reader leaves behind (here: a model in training mode), Load hands out evaluation mode.
        var entry = ModelZoo.Get(name);
        var inTraining = entry with { ReadWeights = _ => { var m = entry.Create(); ((Module)m).Train(); return m; } };
        string path = Path.Combine(Path.GetTempPath(), $"zoo-{Guid.NewGuid():N}");
        try
        {
            // A file of the first kind the model accepts (the replaced reader does not read it).
            File.WriteAllBytes(path, entry.WeightSources[0].Format == WeightFormat.OnnxInt8 ? [0x08, 0x07, 0x12, 0x00] : [(byte)'P', (byte)'K', 3, 4, 0]);
            using var meta = Tensor.UseDefaultDevice(Device.Meta);
            using var model = inTraining.Load(path);
            Assert.All(((Module)model).NamedModules(), m => Assert.False(m.Module.Training, $"{name}: {m.Name} is in training mode"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ResNetWeightsLoadInEvaluationMode()
    {
        // The ResNet reader itself forgot Eval(): batch norm then normalised with batch statistics (wrong features).
        string path = Path.Combine(Path.GetTempPath(), $"resnet50-{Guid.NewGuid():N}.safetensors");
        try
        {
            using (var source = new Exemplar.Models.ResNet.ResNetEncoder(Exemplar.Models.ResNet.ResNetVariant.ResNet50)) SafeTensors.Save(path, source.StateDict());
            var entry = ModelZoo.Get("resnet50");
            using var read = (Module)entry.ReadWeights(path);
            Assert.All(read.NamedModules(), m => Assert.False(m.Module.Training, m.Name));
            using var loaded = (Module)entry.Load(path);
            Assert.All(loaded.NamedModules(), m => Assert.False(m.Module.Training, m.Name));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WrongWeightFilesSayWhatTheyAreAndWhatTheModelLoads()
    {
        string dir = Directory.CreateTempSubdirectory("exemplar-sniff-").FullName;
        try
        {
            string jpeg = Path.Combine(dir, "a.onnx"), onnx = Path.Combine(dir, "d.pth");
            File.WriteAllBytes(jpeg, [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]);
            File.WriteAllBytes(onnx, [0x08, 0x07, 0x12, 0x07, (byte)'p']);
            var e = Assert.Throws<CheckpointFormatException>(() => ModelZoo.Get("mobilenetv2").Load(jpeg));
            Assert.Contains("this is a JPEG image, but mobilenetv2 loads ONNX model zoo mobilenetv2-12-int8.onnx", e.Message);
            e = Assert.Throws<CheckpointFormatException>(() => ModelZoo.Get("resnet50").Load(onnx));
            Assert.Contains("this is an ONNX model, but resnet50 loads torchvision resnet50 ImageNet weights", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryModelNormalisesWithVisionsImageNetStatistics(string name)
    {
        var preprocessing = ModelZoo.Get(name).Preprocessing;
        Assert.Equal(NormalizeOptions.ImageNetMean, preprocessing.Mean);
        Assert.Equal(NormalizeOptions.ImageNetStd, preprocessing.Std);
    }

    [Fact]
    public void UnknownNamesListTheZoo()
    {
        var ex = Assert.Throws<ArgumentException>(() => ModelZoo.Get("resnet9000"));
        Assert.Contains("resnet50", ex.Message);
    }

    [Fact]
    public void ResNet50ComplexityMatchesTorchvision()
    {
        var c = ModelZoo.Get("resnet50").MeasureComplexity();
        Assert.Equal(25_557_032, c.Parameters);
        Assert.InRange(c.GMacs, 4.08, 4.12);
    }
}
