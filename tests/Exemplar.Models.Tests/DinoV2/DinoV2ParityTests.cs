using Exemplar.Models.DinoV2;
using Exemplar.Torch;
using Xunit.Abstractions;

namespace Exemplar.Models.Tests.DinoV2;

/// <summary>
/// Our DINOv2 against the official implementation (facebookresearch/dinov2 b8931f7) on the tiny random-weight
/// fixtures: forward_features and get_intermediate_layers(n=3, reshape=True, return_class_token=True, norm=True), at
/// 224x224 (stored position grid interpolated to 16x16) and 322x434 (non-square 23x31).
/// </summary>
public sealed class DinoV2ParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    [SharedFact(DinoV2Fixture.Plain)]
    public void PlainModelMatchesTheOfficialOutputs() => AssertParity(DinoV2Fixture.Plain);

    [SharedFact(DinoV2Fixture.Registers)]
    public void RegisterModelMatchesTheOfficialOutputs() => AssertParity(DinoV2Fixture.Registers);

    private void AssertParity(string fixture)
    {
        using var scope = DisposeScope.Begin();
        using var model = DinoV2Fixture.Model(fixture);
        var inputs = DinoV2Fixture.Tensors(fixture, "input");
        foreach (string input in DinoV2Fixture.Inputs)
        {
            var errors = Compare(model, inputs[input], DinoV2Fixture.Tensors(fixture, "expected." + input));
            foreach (var (name, error) in errors) output.WriteLine($"{Path.GetFileName(fixture)} {input} {name}: max |err| {error:E2}");
            var worst = errors.MaxBy(e => e.Value);
            Assert.True(worst.Value < Tolerance, $"{fixture} {input}: {worst.Key} differs by {worst.Value:E2}");
        }
    }

    /// <summary>Max absolute error of every expected tensor of one input.</summary>
    internal static Dictionary<string, double> Compare(DinoVisionTransformer model, Tensor image, Dictionary<string, Tensor> expected)
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        var errors = new Dictionary<string, double>();
        using (var tokens = model.ForwardTokens(image))
        {
            errors["x_norm_clstoken"] = DinoV2Fixture.MaxAbsDiff(tokens.ClsToken, expected["x_norm_clstoken"]);
            errors["x_norm_patchtokens"] = DinoV2Fixture.MaxAbsDiff(tokens.PatchTokens, expected["x_norm_patchtokens"]);
            if (model.Options.RegisterTokens > 0) errors["x_norm_regtokens"] = DinoV2Fixture.MaxAbsDiff(tokens.RegisterTokens, expected["x_norm_regtokens"]);
            else Assert.Equal(0, tokens.RegisterTokens.Size(1));
        }
        var layers = model.GetIntermediateLayers(image, 3, reshape: true, returnClassToken: true, norm: true);
        Assert.Equal([0, 1, 2], layers.Select(l => l.BlockIndex));
        for (int i = 0; i < layers.Count; i++)
        {
            errors[$"intermediate{i}.patch_nchw"] = DinoV2Fixture.MaxAbsDiff(layers[i].PatchTokens, expected[$"intermediate{i}.patch_nchw"]);
            errors[$"intermediate{i}.cls"] = DinoV2Fixture.MaxAbsDiff(layers[i].ClassToken!, expected[$"intermediate{i}.cls"]);
            layers[i].Dispose();
        }
        Assert.Equal(expected.Count, errors.Count); // every expected tensor was compared
        return errors;
    }
}
