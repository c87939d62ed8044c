using Exemplar.InContext.Training;

namespace Exemplar.InContext.Tests.Training;

/// <summary>Every in-context recipe under recipes/ reads and passes the checks a training run makes before it starts.</summary>
public sealed class ShippedRecipeTests
{
    [SharedFact("weights/mobilenetv2-12-int8.onnx", "data/coco-mini/annotations/instances_train2017.json", "data/davis2016-train/JPEGImages/480p/bear/00000.jpg")]
    public void EveryShippedInContextRecipeReads()
    {
        var recipes = Directory.GetFiles(Path.Combine(SharedFolder.RepositoryRoot, "recipes"), "*.yaml")
            .Where(InContextRecipeRunner.IsInContext).Order(StringComparer.Ordinal).ToList();
        Assert.True(recipes.Count >= 6, $"{recipes.Count} in-context recipes");
        foreach (string path in recipes)
        {
            var recipe = InContextRecipeRunner.Check(path, SharedFolder.Root);
            Assert.NotEmpty(recipe.Episodes.Sources);
            // The fold recipes hold out the fold their name says, in both stages.
            string name = Path.GetFileNameWithoutExtension(path);
            int at = name.IndexOf("-coco-fold", StringComparison.Ordinal);
            Assert.Equal(at < 0 ? null : int.Parse(name[(at + "-coco-fold".Length)..]), recipe.Episodes.HeldOutFold);
        }
    }
}
