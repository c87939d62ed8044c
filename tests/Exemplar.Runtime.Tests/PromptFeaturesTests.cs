namespace Exemplar.Runtime.Tests;

/// <summary>Replacing a prompt's features and logit offsets (what in-context tuning writes for the runtime).</summary>
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

    [Fact]
    public void LogitOffsetsMoveEveryPixelsLogitAndRoundTripUnderTheChecksum()
    {
        using var model = ExemplarModel.Load();
        using var prompt = model.Encode([new Example(Samples.PathOf("duck_toy_00.jpg"), Samples.PathOf("duck_toy_00.png"))]);
        Assert.Equal([0f], prompt.LogitOffsets);
        Assert.False(prompt.HasLogitOffsets);
        using var shifted = prompt.WithFeatures(prompt.Features, [1.5f]);
        Assert.Equal([1.5f], shifted.LogitOffsets);
        using var kept = shifted.WithFeatures(shifted.Features);
        Assert.Equal([1.5f], kept.LogitOffsets);

        string target = Samples.PathOf("duck_toy_01.jpg");
        var before = model.Segment(prompt, target);
        var after = model.Segment(shifted, target);
        // Restoration resizes logits (which keeps a constant), so every unsaturated pixel's logit moves by the offset.
        static double Logit(float p) => Math.Log(p / (1.0 - p));
        var pairs = before.Scores(0).ToArray().Zip(after.Scores(0).ToArray()).Where(p => p.First is > 0.01f and < 0.99f).ToList();
        Assert.True(pairs.Count > 1000, $"{pairs.Count} unsaturated pixels");
        double worst = pairs.Max(p => Math.Abs(Logit(p.Second) - Logit(p.First) - 1.5));
        Assert.True(worst < 1e-3, $"logits moved by 1.5 ± {worst}");
        Assert.True(after.Labels.Count(l => l != 0) > before.Labels.Count(l => l != 0), "a positive offset finds more");

        string dir = Directory.CreateTempSubdirectory("exemplar-offsets-").FullName;
        try
        {
            string plainPath = Path.Combine(dir, "plain.prompt"), tunedPath = Path.Combine(dir, "tuned.prompt");
            prompt.Save(plainPath);
            shifted.Save(tunedPath);
            // An untuned prompt's file is as before offsets existed; a tuned one's lists them.
            Assert.DoesNotContain("logit_offsets", System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(plainPath)));
            using (var loaded = Prompt.Load(tunedPath))
            {
                Assert.Equal([1.5f], loaded.LogitOffsets);
                Assert.Equal(after.Labels, model.Segment(loaded, target).Labels);
            }
            // The offsets are in the checksummed header: edited, the file is refused.
            var bytes = File.ReadAllBytes(tunedPath);
            var text = System.Text.Encoding.Latin1.GetString(bytes);
            File.WriteAllBytes(tunedPath, System.Text.Encoding.Latin1.GetBytes(text.Replace("\"logit_offsets\":[1.5]", "\"logit_offsets\":[2.5]", StringComparison.Ordinal)));
            Assert.Contains($"{tunedPath}: checksum mismatch", Assert.Throws<InvalidDataException>(() => Prompt.Load(tunedPath)).Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        Assert.Contains("2 logit offset(s) for 1 class(es)", Assert.Throws<ArgumentException>(() => prompt.WithFeatures(prompt.Features, [1f, 2f])).Message);
        Assert.Throws<ArgumentException>(() => prompt.WithFeatures(prompt.Features, [float.NaN]));
        Assert.Throws<ArgumentException>(() => prompt.WithFeatures(prompt.Features, [31f]));
    }
}
