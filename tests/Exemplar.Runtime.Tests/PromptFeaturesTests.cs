namespace Exemplar.Runtime.Tests;

/// <summary>Replacing a prompt's features (what in-context tuning writes for the runtime).</summary>
public sealed class PromptFeaturesTests
{
    [Fact]
    public void WithFeaturesNormalisesKeepsTheMasksAndRefusesWrongLengths()
    {
        using var model = ExemplarModel.Load();
        using var prompt = model.Encode([new Example(Samples.PathOf("duck_toy_00.jpg"), Samples.PathOf("duck_toy_00.png"))]);
        var features = prompt.Features;
        Assert.Equal(prompt.FeatureShapes.Count, features.Count);
        Assert.All(features.Zip(prompt.FeatureShapes), p => Assert.Equal(p.Second.Aggregate(1L, (a, b) => a * b), p.First.Length));

        // Twice the features: the same prompt once normalised; the same segmentation.
        using var doubled = prompt.WithFeatures([.. features.Select(f => f.Select(v => v * 2).ToArray())]);
        Assert.Equal(prompt.Classes, doubled.Classes);
        Assert.Equal(prompt.Fingerprint, doubled.Fingerprint);
        foreach (var (a, b) in doubled.Features.Zip(features)) Assert.True(a.Zip(b).Max(p => Math.Abs(p.First - p.Second)) < 1e-5);
        string target = Samples.PathOf("duck_toy_01.jpg");
        Assert.Equal(model.Segment(prompt, target).Labels, model.Segment(doubled, target).Labels);

        // Other features: another segmentation, and every cell of unit length.
        var random = new Random(1);
        using var noisy = prompt.WithFeatures([.. features.Select(f => f.Select(v => v + (float)(random.NextDouble() - 0.5)).ToArray())]);
        var shape = noisy.FeatureShapes[0];
        var first = noisy.Features[0];
        long cells = shape[2] * shape[3];
        double norm = Math.Sqrt(Enumerable.Range(0, (int)shape[1]).Sum(c => (double)first[c * cells] * first[c * cells]));
        Assert.Equal(1.0, norm, 5);
        Assert.NotEqual(model.Segment(prompt, target).Labels, model.Segment(noisy, target).Labels);

        Assert.Throws<ArgumentException>(() => prompt.WithFeatures([.. features.Skip(1)]));
        Assert.Throws<ArgumentException>(() => prompt.WithFeatures([.. features.Select((f, i) => i == 0 ? f[1..] : f)]));
        Assert.Throws<ArgumentException>(() => prompt.WithFeatures([.. features.Select((f, i) => i == 0 ? f.Select(_ => float.NaN).ToArray() : f)]));
    }
}
