using Exemplar.Training.Recipes;

namespace Exemplar.Training.Tests.Recipes;

/// <summary>Recipes map onto typed records, and every mistake is reported with the file, the line and the key.</summary>
public sealed class RecipeFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("exemplar-recipe-").FullName;

    public RecipeFileTests()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "data"));
        File.WriteAllText(Path.Combine(_folder, "backbone.onnx"), "not read by the checks");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private const string Valid = """
        model:
          name: lraspp_mobilenetv2
          backbone_weights: backbone.onnx
        data:
          kind: camvid
          root: data
          crop_height: 64
          crop_width: 96
          batch_size: 2
        augment:
          flip: 0.5
          mosaic: 0.25
        loss:
          dice: 0.5
          class_weights: [1, 2.5]
        optimizer:
          kind: sgd
          lr: 0.01
          nesterov: true
        schedule:
          kind: multi_step
          milestones: [10, 20]
          warmup_steps: 5
        trainer:
          steps: 30
          seed: 4
          early_stopping:
            patience: 3
        """;

    private string Write(string text)
    {
        string path = Path.Combine(_folder, "recipe.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void AValidRecipeMapsOntoTheRecords()
    {
        var file = RecipeFile.Read(Write(Valid), sharedFolder: null);
        var r = file.Recipe;
        Assert.Equal("lraspp_mobilenetv2", r.Model.Name);
        Assert.Equal(Exemplar.Training.Segmentation.SupervisedDatasetKind.Camvid, r.Data.Kind);
        Assert.Equal((64, 96, 2), (r.Data.CropHeight, r.Data.CropWidth, r.Data.BatchSize));
        Assert.Equal(0.25, r.Augment.Mosaic);
        Assert.Equal([1, 2.5], r.Loss.ClassWeights!);
        Assert.Equal(OptimizerKind.Sgd, r.Optimizer.Kind);
        Assert.True(r.Optimizer.Nesterov);
        Assert.Equal(ScheduleKind.MultiStep, r.Schedule.Kind);
        Assert.Equal([10L, 20L], r.Schedule.Milestones!);
        Assert.Equal(30, r.Trainer.Steps);
        Assert.Equal(4UL, r.Trainer.Seed);
        Assert.Equal(3, r.Trainer.EarlyStopping!.Patience);
        Assert.Equal(0.01, r.Optimizer.Lr);
        Assert.Equal(Path.Combine(_folder, "data"), file.Resolve("data.root", r.Data.Root)); // relative to the recipe's folder
    }

    [Fact]
    public void SharedPathsResolveInTheSharedFolder()
    {
        string shared = Directory.CreateDirectory(Path.Combine(_folder, "shared")).FullName;
        Directory.CreateDirectory(Path.Combine(shared, "camvid"));
        var file = RecipeFile.Read(Write(Valid.Replace("root: data", "root: $shared/camvid")), shared);
        Assert.Equal(Path.Combine(shared, "camvid"), file.Resolve("data.root", file.Recipe.Data.Root));
        var e = Assert.Throws<RecipeException>(() => RecipeFile.Read(Write(Valid.Replace("root: data", "root: $shared/camvid")), null));
        Assert.Contains("no shared", e.Message.Replace("there is none", "no shared"));
    }

    [Theory]
    [InlineData("  batch_size: 2", "  batch_size: 2\n  bach_size: 3", 10, "data.bach_size", "unknown key in 'data'; known keys: batch_size, crop_height")]
    [InlineData("  lr: 0.01", "  lr: fast", 18, "optimizer.lr", "'fast' is not a number")]
    [InlineData("  nesterov: true", "  nesterov: yes please", 19, "optimizer.nesterov", "is not true or false")]
    [InlineData("  kind: sgd", "  kind: lion", 17, "optimizer.kind", "one of sgd, adam, adamw")]
    [InlineData("  class_weights: [1, 2.5]", "  class_weights: 2", 15, "loss.class_weights", "expected a list of a number")]
    [InlineData("  steps: 30", "  steps: 30\n  epochs: 2", 25, "trainer.steps", "exactly one of trainer.epochs and trainer.steps")]
    [InlineData("  flip: 0.5", "  flip: 1.5", 11, "augment.flip", "probability in [0, 1]")]
    [InlineData("  root: data", "  root: nowhere", 6, "data.root", "no such data set folder")]
    [InlineData("  backbone_weights: backbone.onnx", "  backbone_weights: missing.onnx", 3, "model.backbone_weights", "no such file")]
    [InlineData("  name: lraspp_mobilenetv2", "  name: unet_resnet9000", 2, "model.name", "unknown model 'unet_resnet9000'")]
    [InlineData("  seed: 4", "  seed: -4", 26, "trainer.seed", "not a non-negative integer")]
    public void MistakesNameTheFileLineAndKey(string line, string replacement, int expectedLine, string key, string message)
    {
        Assert.Contains(line, Valid);
        string path = Write(Valid.Replace(line, replacement));
        var e = Assert.Throws<RecipeException>(() => RecipeFile.Read(path, null));
        Assert.StartsWith($"{path}:{expectedLine}:", e.Message);
        Assert.Equal(expectedLine, e.Line);
        Assert.Equal(key, e.Key);
        Assert.Contains($"'{key}'", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void UnknownSectionsDuplicatesAndBadYamlAreReported()
    {
        string twice = Write(Valid.Replace("  dice: 0.5", "  dice: 0.5\n  dice: 0.7"));
        var duplicate = Assert.Throws<RecipeException>(() => RecipeFile.Read(twice, null));
        Assert.StartsWith($"{twice}:15:", duplicate.Message);
        Assert.Contains("uplicate", duplicate.Message);
        var unknown = Assert.Throws<RecipeException>(() => RecipeFile.Read(Write(Valid + "\nscheduler:\n  kind: poly\n"), null));
        Assert.Contains("unknown key in a recipe", unknown.Message);
        Assert.Contains("schedule", unknown.Message);
        var broken = Assert.Throws<RecipeException>(() => RecipeFile.Read(Write("model: [unclosed\n"), null));
        Assert.Contains("not valid YAML", broken.Message);
        var missing = Assert.Throws<RecipeException>(() => RecipeFile.Read(Path.Combine(_folder, "absent.yaml"), null));
        Assert.Contains("no such recipe file", missing.Message);
    }

    [Fact]
    public void TheShippedSmokeRecipeReads()
    {
        string smoke = Path.Combine(TestSupport.SharedFolder.RepositoryRoot, "recipes", "smoke.yaml");
        if (TestSupport.SharedFolder.Root is not { } shared)
        {
            Assert.Throws<RecipeException>(() => RecipeFile.Read(smoke, null)); // names $shared paths: an error without the folder
            return;
        }
        var file = RecipeFile.Read(smoke, shared);
        Assert.Equal("lraspp_mobilenetv2", file.Recipe.Model.Name);
        Assert.NotNull(file.Recipe.Trainer.Steps);
    }

    [TestSupport.SharedFact("weights/mobilenetv2-12-int8.onnx")]
    public void EveryShippedSupervisedRecipeReads()
    {
        // The in-context recipes (an episodes: section) are read by Exemplar.InContext's runner and tested there.
        var recipes = Directory.GetFiles(Path.Combine(TestSupport.SharedFolder.RepositoryRoot, "recipes"), "*.yaml")
            .Where(path => !YamlRecipeMapper.Sections(path).Contains("episodes")).ToList();
        Assert.True(recipes.Count >= 7, $"{recipes.Count} supervised recipes");
        foreach (string path in recipes)
        {
            var file = RecipeFile.Read(path, TestSupport.SharedFolder.Root);
            if (file.Recipe.Model.Weights is { } weights) Assert.True(File.Exists(file.Resolve("model.weights", weights)), $"{path}: {weights}");
        }
        var qat = RecipeFile.Read(Path.Combine(TestSupport.SharedFolder.RepositoryRoot, "recipes", "camvid-fpnlite-mobilenetv2-qat.yaml"), TestSupport.SharedFolder.Root);
        Assert.NotNull(qat.Recipe.Quantization);
    }
}
