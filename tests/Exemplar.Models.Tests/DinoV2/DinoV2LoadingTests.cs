using Exemplar.Models.DinoV2;
using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Exemplar.Torch.Serialization;

namespace Exemplar.Models.Tests.DinoV2;

/// <summary>
/// DinoV2Weights.Load on every layout: official .pth (flat and nested, block-chunked names), Hugging Face names (built
/// here from the fixture by splitting qkv), and the errors of strict loading and of unknown keys.
/// </summary>
public sealed class DinoV2LoadingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("exemplar-dinov2-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SharedFact(DinoV2Fixture.Plain, DinoV2Fixture.PlainPth, DinoV2Fixture.NestedPth)]
    public void PthCheckpointsLoadIntoTheSameModelWithIdenticalOutputs()
    {
        using var scope = DisposeScope.Begin();
        var options = DinoV2Fixture.Options(DinoV2Fixture.Plain);
        using var reference = DinoV2Fixture.Model(DinoV2Fixture.Plain);
        using var flat = DinoV2Weights.Load(SharedFolder.PathOf(DinoV2Fixture.PlainPth), options);
        using var nestedByEntry = DinoV2Weights.Load(SharedFolder.PathOf(DinoV2Fixture.NestedPth), options, entry: "model");
        using var nestedUnwrapped = DinoV2Weights.Load(SharedFolder.PathOf(DinoV2Fixture.NestedPth), options);
        var image = DinoV2Fixture.Tensors(DinoV2Fixture.Plain, "input")["in322x434"];
        AssertSameOutputs(reference, flat, image);
        AssertSameOutputs(reference, nestedByEntry, image);
        AssertSameOutputs(reference, nestedUnwrapped, image);
    }

    [SharedTheory(DinoV2Fixture.Plain, DinoV2Fixture.Registers)]
    [InlineData(DinoV2Fixture.Plain)]
    [InlineData(DinoV2Fixture.Registers)]
    public void HuggingFaceNamesLoadWithIdenticalOutputs(string fixture)
    {
        using var scope = DisposeScope.Begin();
        var official = DinoV2CheckpointConverter.FromOfficial(DinoV2Fixture.Tensors(fixture, "weights"), fixture);
        var huggingFace = ToHuggingFaceNames(official);
        Assert.Contains("encoder.layer.2.attention.attention.value.bias", huggingFace.Keys);
        string path = Path.Combine(_dir, "model.safetensors");
        SafeTensors.Save(path, huggingFace);

        using var reference = DinoV2Fixture.Model(fixture);
        using var converted = DinoV2Weights.Load(path, DinoV2Fixture.Options(fixture));
        foreach (var image in DinoV2Fixture.Tensors(fixture, "input").Values) AssertSameOutputs(reference, converted, image);
    }

    [Fact]
    public void HuggingFaceSwiGluNamesMapToW12AndW3()
    {
        using var scope = DisposeScope.Begin();
        LibTorch.ManualSeed(7);
        var options = new DinoV2Options(32, 2, 2) { Ffn = DinoV2FfnKind.SwiGlu, ImageSize = 56 };
        using var source = new DinoVisionTransformer(options);
        using var target = new DinoVisionTransformer(options);
        Assert.Equal([2 * 88L, 32], source.StateDict()["blocks.0.mlp.w12.weight"].Shape); // hidden (⌊128·2/3⌋ + 7) / 8 · 8 = 88
        DinoV2Weights.LoadInto(target, ToHuggingFaceNames(source.StateDict()), "in-memory giant-style state");
        var image = Tensor.Randn([1, 3, 42, 70]);
        AssertSameOutputs(source, target, image);
    }

    [SharedFact(DinoV2Fixture.Plain)]
    public void StrictLoadingListsMissingUnexpectedAndWronglyShapedKeysAndNamesTheFile()
    {
        using var scope = DisposeScope.Begin();
        var weights = DinoV2Fixture.Tensors(DinoV2Fixture.Plain, "weights");
        weights.Remove("blocks.0.1.ls2.gamma");
        weights["register_tokens"] = Tensor.Zeros([1, 4, 128]);
        weights["pos_embed"] = Tensor.Zeros([1, 257, 128]);
        string path = Path.Combine(_dir, "broken.safetensors");
        SafeTensors.Save(path, weights);

        var options = DinoV2Fixture.Options(DinoV2Fixture.Plain);
        var e = Assert.Throws<StateDictException>(() => DinoV2Weights.Load(path, options));
        Assert.Contains(path, e.Message);
        Assert.Equal(["blocks.1.ls2.gamma"], e.Result.Missing);
        Assert.Equal(["register_tokens"], e.Result.Unexpected);
        Assert.Equal(["pos_embed: module [1, 1370, 128] vs dict [1, 257, 128]"], e.Result.ShapeMismatches);
        Assert.Contains("missing: blocks.1.ls2.gamma", e.Message);
        Assert.Contains("unexpected: register_tokens", e.Message);
        Assert.Contains("wrong shape: pos_embed", e.Message);

        // Lenient loading takes what matches, reports the rest, and leaves official initialisation elsewhere.
        using var model = DinoV2Weights.Load(path, options, strict: false);
        Assert.False(model.Blocks[1].Ls2!.Gamma.Equal(Tensor.Zeros([128])));
        using var expectedNorm = SafeTensorsFile.Open(SharedFolder.PathOf(DinoV2Fixture.Plain));
        Assert.True(model.Norm.Weight!.Equal(expectedNorm.Load("weights.norm.weight")));
    }

    [SharedFact(DinoV2Fixture.Plain)]
    public void TheWrongVariantFailsWithTheShapes()
    {
        var e = Assert.Throws<StateDictException>(() => DinoV2Weights.Load(SharedFolder.PathOf(DinoV2Fixture.PlainPth), DinoV2Variant.ViTS14));
        Assert.Contains("dinov2_tiny_parity.pth", e.Message);
        Assert.Contains("cls_token: module [1, 1, 384] vs dict [1, 1, 128]", e.Result.ShapeMismatches);
        Assert.Contains("blocks.11.norm1.weight", e.Result.Missing);
    }

    [Fact]
    public void UnknownKeysAreErrorsNamingTheKeyAndTheFile()
    {
        using var scope = DisposeScope.Begin();
        var options = new DinoV2Options(16, 1, 2) { ImageSize = 28 };
        using var model = new DinoVisionTransformer(options);
        var official = new Dictionary<string, Tensor>(model.StateDict()) { ["head.weight"] = Tensor.Zeros([10, 16]) };
        string path = Path.Combine(_dir, "with_head.safetensors");
        SafeTensors.Save(path, official);
        var e = Assert.Throws<CheckpointFormatException>(() => DinoV2Weights.Load(path, options));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("'head.weight'", e.Message);

        var huggingFace = ToHuggingFaceNames(model.StateDict());
        huggingFace["pooler.dense.weight"] = Tensor.Zeros([16, 16]);
        var hf = Assert.Throws<CheckpointFormatException>(() => DinoV2Weights.LoadInto(model, huggingFace, "hf.safetensors"));
        Assert.Contains("hf.safetensors", hf.Message);
        Assert.Contains("'pooler.dense.weight'", hf.Message);

        huggingFace.Remove("pooler.dense.weight");
        huggingFace.Remove("encoder.layer.0.attention.attention.key.weight");
        var partial = Assert.Throws<CheckpointFormatException>(() => DinoV2Weights.LoadInto(model, huggingFace, "hf.safetensors"));
        Assert.Contains("no matching key tensor", partial.Message);

        var clash = new Dictionary<string, Tensor>(model.StateDict()) { ["blocks.0.0.norm1.weight"] = Tensor.Ones([16]) };
        var collision = Assert.Throws<CheckpointFormatException>(() => DinoV2Weights.LoadInto(model, clash, "mixed.pth"));
        Assert.Contains("blocks.0.norm1.weight", collision.Message);
    }

    [SharedFact(DinoV2Fixture.PlainPth)]
    public void TheContainerIsToldByTheBytesNotTheName()
    {
        using var scope = DisposeScope.Begin();
        string original = SharedFolder.PathOf(DinoV2Fixture.PlainPth);
        string misnamed = Path.Combine(_dir, "dinov2.safetensors"); // a torch.save zip under a safetensors name
        File.Copy(original, misnamed);
        var expected = DinoV2Weights.ReadCheckpoint(original);
        var actual = DinoV2Weights.ReadCheckpoint(misnamed);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, tensor) in expected) Assert.Equal(tensor.ToBytes(), actual[name].ToBytes());
    }

    [Fact]
    public void MissingOrDamagedFilesAreClearErrors()
    {
        string missing = Path.Combine(_dir, "nope.pth");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => DinoV2Weights.Load(missing, DinoV2Variant.ViTS14)).Message);
        string garbage = Path.Combine(_dir, "garbage.pth");
        File.WriteAllBytes(garbage, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        Assert.Equal(garbage, Assert.Throws<CheckpointFormatException>(() => DinoV2Weights.Load(garbage, DinoV2Variant.ViTS14)).FilePath);
        string unknownExtension = Path.Combine(_dir, "weights.dat");
        File.WriteAllBytes(unknownExtension, [0, 0, 0, 0, 0, 0, 0, 0, 0]);
        Assert.Equal(unknownExtension, Assert.Throws<CheckpointFormatException>(() => DinoV2Weights.Load(unknownExtension, DinoV2Variant.ViTS14)).FilePath);
    }

    [Fact]
    public void FormatIsDetectedFromTheKeys()
    {
        Assert.Equal(DinoV2CheckpointFormat.Official, DinoV2CheckpointConverter.DetectFormat(["cls_token", "blocks.0.0.norm1.weight"]));
        Assert.Equal(DinoV2CheckpointFormat.HuggingFace, DinoV2CheckpointConverter.DetectFormat(["embeddings.cls_token", "layernorm.bias"]));
    }

    /// <summary>Official names → Hugging Face's (qkv split into query, key and value), written independently of the converter.</summary>
    internal static Dictionary<string, Tensor> ToHuggingFaceNames(IReadOnlyDictionary<string, Tensor> official)
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var (key, tensor) in official)
        {
            var parts = key.Split('.');
            if (parts[0] != "blocks")
            {
                string name = key switch
                {
                    "cls_token" => "embeddings.cls_token",
                    "mask_token" => "embeddings.mask_token",
                    "pos_embed" => "embeddings.position_embeddings",
                    "register_tokens" => "embeddings.register_tokens",
                    _ when key.StartsWith("patch_embed.proj.", StringComparison.Ordinal) => "embeddings.patch_embeddings.projection." + parts[^1],
                    _ when key.StartsWith("norm.", StringComparison.Ordinal) => "layernorm." + parts[^1],
                    _ => throw new ArgumentException(key),
                };
                result[name] = tensor;
                continue;
            }
            string layer = $"encoder.layer.{parts[1]}.";
            string rest = string.Join('.', parts[2..]);
            if (rest.StartsWith("attn.qkv.", StringComparison.Ordinal))
            {
                var qkv = tensor.Chunk(3, 0);
                result[layer + "attention.attention.query." + parts[^1]] = qkv[0];
                result[layer + "attention.attention.key." + parts[^1]] = qkv[1];
                result[layer + "attention.attention.value." + parts[^1]] = qkv[2];
                continue;
            }
            result[layer + rest switch
            {
                "ls1.gamma" => "layer_scale1.lambda1",
                "ls2.gamma" => "layer_scale2.lambda1",
                _ when rest.StartsWith("attn.proj.", StringComparison.Ordinal) => "attention.output.dense." + parts[^1],
                _ when rest.StartsWith("mlp.w12.", StringComparison.Ordinal) => "mlp.weights_in." + parts[^1],
                _ when rest.StartsWith("mlp.w3.", StringComparison.Ordinal) => "mlp.weights_out." + parts[^1],
                _ => rest,
            }] = tensor;
        }
        return result;
    }

    private static void AssertSameOutputs(DinoVisionTransformer expected, DinoVisionTransformer actual, Tensor image)
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        using var a = expected.ForwardTokens(image);
        using var b = actual.ForwardTokens(image);
        Assert.True(a.PreNorm.Equal(b.PreNorm), "the loaded model's tokens differ");
        Assert.True(a.PatchTokens.Equal(b.PatchTokens));
    }
}
