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
