using Exemplar.Models.DinoV2;
using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.Tests.DinoV2;

/// <summary>Structure, API contracts and input checks of <see cref="DinoVisionTransformer"/>.</summary>
public sealed class DinoV2ModelTests
{
    [Fact]
    public void SwiGluHiddenWidthAndOutputMatchTheOfficialLayer()
    {
        Assert.Equal(4096, SwiGluFfn.FusedHidden(6144)); // ViT-g: 1536 · 4
        Assert.Equal(72, SwiGluFfn.FusedHidden(100));    // ⌊66.7⌋ = 66 → 73 / 8 · 8

        using var scope = DisposeScope.Begin();
        using var ffn = new SwiGluFfn(2, 12); // hidden 8
        Assert.Equal(8, ffn.HiddenFeatures);
        using (LibTorch.NoGrad())
        {
            ffn.W12.Weight.Copy_(Tensor.Arange(32, dtype: DType.Float32).Reshape(16, 2) / 10 - 1.5);
            ffn.W12.Bias!.Copy_(Tensor.Linspace(-0.5, 0.5, 16));
            ffn.W3.Weight.Copy_(Tensor.Arange(16, dtype: DType.Float32).Reshape(2, 8) / 8 - 1);
            ffn.W3.Bias!.Copy_(Tensor.From([0.25f, -0.25f]));
        }
        var y = ffn.Forward(Tensor.From([0.5f, -1f, 2f, 0.25f], 2, 2)).ToArray<float>();
        // torch 1.13: F.linear(silu(x1) * x2, w3) with x1, x2 = F.linear(x, w12).chunk(2, -1).
        float[] expected = [0.27344078f, -0.23679759f, 1.6048435f, -2.220741f];
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], y[i], 5e-6f);
    }

    [Fact]
    public void BlocksWithoutLayerScaleHaveNoGammas()
    {
        using var model = new DinoVisionTransformer(new DinoV2Options(16, 1, 2) { ImageSize = 28, LayerScaleInit = null });
        Assert.DoesNotContain(model.StateDict().Keys, k => k.Contains("gamma", StringComparison.Ordinal));
        Assert.Null(model.Blocks[0].Ls1);
    }

    [Fact]
    public void ReleasedVariantsUseTheHubSettings()
    {
        var g = DinoV2Options.ViTG14();
        Assert.Equal((1536, 40, 24, DinoV2FfnKind.SwiGlu, 0), (g.EmbedDim, g.Depth, g.Heads, g.Ffn, g.RegisterTokens));
        Assert.Equal((0.1, false), (g.InterpolateOffset, g.InterpolateAntialias));
        var reg = DinoV2Options.For(DinoV2Variant.ViTB14Reg4);
        Assert.Equal((768, 12, 12, 4), (reg.EmbedDim, reg.Depth, reg.Heads, reg.RegisterTokens));
        Assert.Equal((0.0, true), (reg.InterpolateOffset, reg.InterpolateAntialias)); // dinov2_vit*14_reg in hubconf
        Assert.Equal(37, reg.PositionGrid);
        Assert.Equal("dinov2_vitl14_reg", DinoV2Options.HubName(DinoV2Variant.ViTL14Reg4));
    }

    [Fact]
    public void PositionEmbeddingIsStoredAt37x37AndInterpolatedElsewhere()
    {
        using var scope = DisposeScope.Begin();
        LibTorch.ManualSeed(3);
        using var model = new DinoVisionTransformer(new DinoV2Options(8, 1, 2));
        Assert.True(model.InterpolatePositionEmbedding(37, 37).Equal(model.PosEmbed));
        var resized = model.InterpolatePositionEmbedding(16, 23);
        Assert.Equal([1L, 1 + 16 * 23, 8], resized.Shape);
        Assert.True(resized.Slice(1, 0, 1).Equal(model.PosEmbed.Slice(1, 0, 1))); // the class token's is kept
        // A 37x37 grid that is not the stored one (offset 0.1 is below one cell) still comes out as 37x38.
        Assert.Equal([1L, 1 + 37 * 38, 8], model.InterpolatePositionEmbedding(37, 38).Shape);

        using var antialiased = new DinoVisionTransformer(new DinoV2Options(8, 1, 2) { InterpolateOffset = 0, InterpolateAntialias = true });
        antialiased.LoadStateDict(model.StateDict());
        Assert.Equal([1L, 1 + 16 * 23, 8], antialiased.InterpolatePositionEmbedding(16, 23).Shape);
        Assert.False(antialiased.InterpolatePositionEmbedding(16, 23).AllClose(resized, atol: 1e-4));
    }

    [SharedFact(DinoV2Fixture.Plain)]
    public void InterpolationDetailsMatterToParity()
    {
        // The parity test is sensitive to them: interpolating to the size without the 0.1 offset misses by far more than 1e-4.
        using var scope = DisposeScope.Begin();
        using var model = new DinoVisionTransformer(DinoV2Fixture.Options(DinoV2Fixture.Plain) with { InterpolateOffset = 0 }, initializeWeights: false);
        DinoV2Weights.LoadInto(model, SharedFolder.PathOf(DinoV2Fixture.Plain), entry: "weights");
        var image = DinoV2Fixture.Tensors(DinoV2Fixture.Plain, "input")["in322x434"];
        var expected = DinoV2Fixture.Tensors(DinoV2Fixture.Plain, "expected.in322x434");
        using var tokens = model.ForwardTokens(image);
        Assert.True(DinoV2Fixture.MaxAbsDiff(tokens.PatchTokens, expected["x_norm_patchtokens"]) > 1e-3);
    }

    [SharedFact(DinoV2Fixture.Plain)]
    public void EncoderInterfaceGivesNormalisedNchwMaps()
    {
        using var scope = DisposeScope.Begin();
        using var model = DinoV2Fixture.Model(DinoV2Fixture.Plain);
        IImageEncoder encoder = model;
        Assert.Equal(128, encoder.FeatureChannels);
        Assert.Equal(3, encoder.LevelCount);
        Assert.Equal((14, 518), (encoder.Preprocessing.SizeMultiple, encoder.Preprocessing.DefaultSize));
        Assert.Equal([0.485, 0.456, 0.406], encoder.Preprocessing.Mean);
        Assert.Equal([0.229, 0.224, 0.225], encoder.Preprocessing.Std);

        var image = DinoV2Fixture.Tensors(DinoV2Fixture.Plain, "input")["in322x434"];
        var expected = DinoV2Fixture.Tensors(DinoV2Fixture.Plain, "expected.in322x434");
        using var noGrad = LibTorch.NoGrad();
        using var features = encoder.ForwardFeatures(image);
        Assert.Equal((14, "norm"), (features.Stride, features.Name));
        Assert.Equal([1L, 128, 23, 31], features.Features.Shape);
        Assert.True(DinoV2Fixture.MaxAbsDiff(features.Features, expected["intermediate2.patch_nchw"]) < 1e-4);

        var maps = encoder.ForwardIntermediates(image, [-1, 0, 2]);
        Assert.Equal(["blocks.2", "blocks.0", "blocks.2"], maps.Select(m => m.Name));
        Assert.True(DinoV2Fixture.MaxAbsDiff(maps[0].Features, expected["intermediate2.patch_nchw"]) < 1e-4);
        Assert.True(DinoV2Fixture.MaxAbsDiff(maps[1].Features, expected["intermediate0.patch_nchw"]) < 1e-4);
        maps[0].Dispose();
        Assert.False(maps[2].Features.IsDisposed); // repeated levels own their tensors
        maps[1].Dispose();
        maps[2].Dispose();
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.ForwardIntermediates(image, [3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.ForwardIntermediates(image, [-4]));
    }

    [SharedFact(DinoV2Fixture.Registers)]
    public void IntermediateLayersFollowTheOfficialOptions()
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        using var model = DinoV2Fixture.Model(DinoV2Fixture.Registers);
        var image = DinoV2Fixture.Tensors(DinoV2Fixture.Registers, "input")["in224"];
        var expected = DinoV2Fixture.Tensors(DinoV2Fixture.Registers, "expected.in224");

        var chosen = model.GetIntermediateLayers(image, [2, 0], returnClassToken: true); // block order, as the official code
        Assert.Equal([0, 2], chosen.Select(o => o.BlockIndex));
        Assert.Equal([1L, 256, 128], chosen[0].PatchTokens.Shape); // not reshaped: [B, N, D] without class and register tokens
        var nchw = expected["intermediate0.patch_nchw"].Flatten(2).Transpose(1, 2);
        Assert.True(DinoV2Fixture.MaxAbsDiff(chosen[0].PatchTokens, nchw) < 1e-4);
        Assert.True(DinoV2Fixture.MaxAbsDiff(chosen[1].ClassToken!, expected["intermediate2.cls"]) < 1e-4);

        var raw = model.GetIntermediateLayers(image, 1, norm: false)[0];
        Assert.Null(raw.ClassToken);
        using var tokens = model.ForwardTokens(image);
        Assert.True(raw.PatchTokens.Equal(tokens.PreNorm.Slice(1, 5, null))); // un-normalised last block output

        Assert.Throws<ArgumentOutOfRangeException>(() => model.GetIntermediateLayers(image, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.GetIntermediateLayers(image, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.GetIntermediateLayers(image, [-1]));
        Assert.Throws<ArgumentException>(() => model.GetIntermediateLayers(image, [1, 1]));
    }

    [SharedFact(DinoV2Fixture.Registers)]
    public void BatchesForwardAndInputDTypesAreHandled()
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        using var model = DinoV2Fixture.Model(DinoV2Fixture.Registers);
        var image = DinoV2Fixture.Tensors(DinoV2Fixture.Registers, "input")["in224"];
        var expected = DinoV2Fixture.Tensors(DinoV2Fixture.Registers, "expected.in224");

        var cls = model.Forward(Tensor.Cat([image, image.Flip(3)], 0)); // the official forward: x_norm_clstoken
        Assert.Equal([2L, 128], cls.Shape);
        Assert.True(DinoV2Fixture.MaxAbsDiff(cls.Slice(0, 0, 1), expected["x_norm_clstoken"]) < 1e-4);
        Assert.False(cls.Select(0, 0).AllClose(cls.Select(0, 1), atol: 1e-3));

        var fromDouble = model.Forward(image.To(DType.Float64)); // converted to the model's dtype
        Assert.Equal(DType.Float32, fromDouble.DType);
        Assert.True(DinoV2Fixture.MaxAbsDiff(fromDouble, expected["x_norm_clstoken"]) < 1e-4);
    }

    [Fact]
    public void BadInputsAreClearErrors()
    {
        using var scope = DisposeScope.Begin();
        using var model = new DinoVisionTransformer(new DinoV2Options(16, 1, 2) { ImageSize = 28 });
        Assert.Contains("multiples of the patch size 14", Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([1, 3, 28, 30]))).Message);
        Assert.Contains("[B, 3, H, W]", Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([3, 28, 28]))).Message);
        Assert.Contains("[B, 3, H, W]", Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([1, 1, 28, 28]))).Message);
        Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([1, 3, 28, 28], DType.UInt8)));
        Assert.Throws<ArgumentException>(() => new DinoVisionTransformer(new DinoV2Options(30, 1, 4)));
        Assert.Throws<ArgumentException>(() => new DinoVisionTransformer(new DinoV2Options(16, 1, 2) { ImageSize = 30 }));
    }

    [Fact]
    public void ForwardLeaksNoTensorsAndCountsTheExpectedMacs()
    {
        using var model = new DinoVisionTransformer(new DinoV2Options(32, 2, 2) { ImageSize = 56, RegisterTokens = 4 });
        using var image = Tensor.Randn([1, 3, 28, 42]);
        using (var warm = model.ForwardTokens(image)) { }
        long live = Tensor.LiveCount;
        long macs;
        using (var counter = MacCounter.Begin())
        using (var tokens = model.ForwardTokens(image))
        {
            macs = counter.Macs;
        }
        Assert.Equal(live, Tensor.LiveCount);
        // 6 patches + class + 4 registers = 11 tokens, D 32, 2 heads of 16, MLP 128:
        // patch conv 6·32·588; per block qkv 11·32·96 + proj 11·32·32 + q·kᵀ 2·11·11·16 + a·v 2·11·16·11 + fc1 11·32·128 + fc2 11·128·32.
        long perBlock = 11 * 32 * 96 + 11 * 32 * 32 + 2 * 11 * 11 * 16 * 2 + 11 * 32 * 128 * 2;
        Assert.Equal(6L * 32 * 588 + 2 * perBlock, macs);
    }
}
