using System.Text.Json;
using Exemplar.Models.DinoV2;
using Exemplar.Torch;
using Xunit.Abstractions;

namespace Exemplar.Models.Tests.DinoV2;

/// <summary>
/// Every released variant has exactly the keys and shapes of its official checkpoint (listed in
/// ../shared/fixtures/dinov2_official_checkpoint_keys.json), and a state dict of those shapes loads strictly. Models
/// are built without initialisation (instant, and untouched memory is never committed); ViT-g with registers skips the
/// 4.5 GB copy, which plain ViT-g and the smaller register variants already cover.
/// </summary>
public sealed class DinoV2CheckpointKeysTests(ITestOutputHelper output)
{
    [SharedTheory(DinoV2Fixture.CheckpointKeys)]
    [InlineData(DinoV2Variant.ViTS14, true)]
    [InlineData(DinoV2Variant.ViTS14Reg4, true)]
    [InlineData(DinoV2Variant.ViTB14, true)]
    [InlineData(DinoV2Variant.ViTB14Reg4, true)]
    [InlineData(DinoV2Variant.ViTL14, true)]
    [InlineData(DinoV2Variant.ViTL14Reg4, true)]
    [InlineData(DinoV2Variant.ViTG14, true)]
    [InlineData(DinoV2Variant.ViTG14Reg4, false)]
    public void VariantHasTheOfficialKeysAndShapesAndLoadsThemStrictly(DinoV2Variant variant, bool load)
    {
        var expected = OfficialKeys(DinoV2Options.HubName(variant));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var model = DinoVisionTransformer.Create(variant, initializeWeights: false);
        output.WriteLine($"built in {watch.ElapsedMilliseconds} ms");
        var state = model.StateDict();
        Assert.Equal(expected.Select(e => e.Key), state.Keys); // same keys, in the official order
        foreach (var (key, shape) in expected) Assert.True(shape.SequenceEqual(state[key].Shape), $"{key}: [{string.Join(", ", state[key].Shape)}] instead of [{string.Join(", ", shape)}]");
        if (!load) return;

        // Zeros of the official shapes (one broadcast scalar each: no memory), loaded strictly through the converter.
        using var scope = DisposeScope.Begin();
        var zeros = expected.ToDictionary(e => e.Key, e => Tensor.Zeros([]).Expand(e.Value));
        watch.Restart();
        var result = DinoV2Weights.LoadInto(model, zeros, $"zeros shaped as {DinoV2Options.HubName(variant)}");
        output.WriteLine($"loaded in {watch.ElapsedMilliseconds} ms");
        Assert.True(result.IsExact);
        Assert.Equal(0, model.PosEmbed.Abs().Max().ToDouble());
        Assert.Equal(0, model.Blocks[^1].Attn.Qkv.Weight.Abs().Max().ToDouble());
    }

    /// <summary>The official checkpoint's keys in file order with their shapes.</summary>
    private static List<KeyValuePair<string, long[]>> OfficialKeys(string hubName)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(SharedFolder.PathOf(DinoV2Fixture.CheckpointKeys)));
        return [.. json.RootElement.GetProperty(hubName).EnumerateObject()
            .Select(p => KeyValuePair.Create(p.Name, p.Value.EnumerateArray().Select(v => v.GetInt64()).ToArray()))];
    }
}
