using System.Text.Json;
using Exemplar.InContext.Training;
using Exemplar.Models.Zoo;
using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Exemplar.Torch.Serialization;

namespace Exemplar.InContext.Tests;

/// <summary>The trained decoder's construction, its starting point and its file.</summary>
public sealed class LearnedDecoderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("exemplar-decoder-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (Tensor[] Maps, Tensor Guide, List<PromptLevel> Prompt) Inputs(Segmenter segmenter, int classes)
    {
        int s = segmenter.Options.InputSize;
        var target = Tensor.Randn([1, 3, s, s], new Generator(1));
        var maps = segmenter.Encoder.ForwardIntermediates(target, segmenter.Options.Levels).Select(m => m.Features).ToArray();
        var example = Tensor.Randn([2, 3, s, s], new Generator(2));
        var exampleMaps = segmenter.Encoder.ForwardIntermediates(example, segmenter.Options.Levels).Select(m => m.Features).ToArray();
        var masks = Tensor.Rand([2, classes, s, s], new Generator(3)).Gt(0.7).To(DType.Float32);
        var prompt = exampleMaps.Select(m => PromptEncoder.EncodeLevel(m, masks, Tensor.Ones([2, 1, s, s]))).ToList();
        return (maps, Tensor.Rand([1, 1, s, s], new Generator(4)), prompt);
    }

    /// <summary>
    /// A fresh decoder for MobileNetV2 at 128 in evaluation mode, the segmenters with and without it, random inputs of
    /// three classes and the training-free decoder's logits for them (tensors in the caller's dispose scope).
    /// </summary>
    private sealed class FreshDecoder : IDisposable
    {
        private readonly Exemplar.Models.IImageEncoder _encoder = ModelZoo.Get("mobilenetv2").Create();

        public FreshDecoder(int width, bool presence, bool prior = false)
        {
            ((Module)_encoder).Eval();
            var options = SegmenterOptions.For(_encoder) with { InputSize = 128, GuidedRadius = 8, GuidedSubsample = 1 };
            Decoder = new LearnedDecoder(InContextRecipeRunner.LevelChannels(_encoder, options), width, presence, prior);
            Options = options;
            Decoder.Eval();
            var free = new Segmenter(_encoder, "mobilenetv2", options);
            Learned = new Segmenter(_encoder, "mobilenetv2", options, Decoder);
            (Maps, Guide, Prompt) = Inputs(free, classes: 3);
            TrainingFree = free.DecodeLogits(Maps, Guide, Prompt);
        }

        public Exemplar.Models.IImageEncoder Encoder => _encoder;
        public SegmenterOptions Options { get; }
        public LearnedDecoder Decoder { get; }
        public Segmenter Learned { get; }
        public Tensor[] Maps { get; }
        public Tensor Guide { get; }
        public List<PromptLevel> Prompt { get; }
        public Tensor TrainingFree { get; }

        public void Deconstruct(out LearnedDecoder decoder, out Segmenter learned, out Tensor[] maps, out Tensor guide, out List<PromptLevel> prompt, out Tensor trainingFree) =>
            (decoder, learned, maps, guide, prompt, trainingFree) = (Decoder, Learned, Maps, Guide, Prompt, TrainingFree);

        public void Dispose()
        {
            Decoder.Dispose();
            _encoder.Dispose();
        }
    }

    [Fact]
    public void BeforeTrainingItIsExactlyTheTrainingFreeDecoder()
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        using var fresh = new FreshDecoder(width: 64, presence: false);
        var (decoder, learned, maps, guide, prompt, expected) = fresh;
        var actual = learned.DecodeLogits(maps, guide, prompt);
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.True((expected - actual).Abs().Max().ToDouble() < 1e-4, "a fresh decoder's zero head must leave the training-free logits");
        Assert.Equal("mobilenetv2+decoder", learned.Name);

        // Once its head is no longer zero it changes the logits, and it decodes classes alike: permuting the prompt's
        // classes permutes the logits (each class is folded into the batch and decoded by the same weights).
        foreach (var (_, p) in decoder.Head.NamedParameters()) Init.Normal_(p, 0, 0.5, new Generator(9));
        var changed = learned.DecodeLogits(maps, guide, prompt);
        Assert.True((changed - expected).Abs().Max().ToDouble() > 1e-2);
        var order = Tensor.From(new long[] { 2, 0, 1 }, 3);
        var permuted = prompt.Select(p => new PromptLevel(p.Features, p.Foreground.IndexSelect(1, order), p.Valid)).ToList();
        var moved = learned.DecodeLogits(maps, guide, permuted);
        Assert.True((moved - changed.IndexSelect(1, order)).Abs().Max().ToDouble() < 1e-4);
    }

    [Fact]
    public void APresenceHeadAddsEachClasssLogProbabilityToItsLogits()
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        using var fresh = new FreshDecoder(width: 16, presence: true);
        var (decoder, learned, maps, guide, prompt, expected) = fresh;

        // Untrained: the mask is the training-free one and every class is "present" at σ(4).
        var (mask, presence) = learned.DecodeParts(maps, guide, prompt);
        Assert.True((mask - expected).Abs().Max().ToDouble() < 1e-4);
        Assert.Equal([1L, 3], presence!.Shape);
        Assert.True((presence - LearnedDecoder.InitialPresenceLogit).Abs().Max().ToDouble() < 1e-5);
        double shift = Math.Log(1 / (1 + Math.Exp(-LearnedDecoder.InitialPresenceLogit)));
        Assert.True((learned.DecodeLogits(maps, guide, prompt) - (expected + shift)).Abs().Max().ToDouble() < 1e-4);

        // Trained (random weights here): classes get presences of their own, each added to its class's logits only.
        foreach (var (_, p) in decoder.PresenceHead!.NamedParameters()) Init.Normal_(p, 0, 0.5, new Generator(11));
        (mask, presence) = learned.DecodeParts(maps, guide, prompt);
        var logits = learned.DecodeLogits(maps, guide, prompt);
        var values = presence!.Flatten().ToArray<float>();
        Assert.True(values.Distinct().Count() == 3, "each class has its own presence");
        for (int c = 0; c < 3; c++)
        {
            double logPresence = Math.Log(1 / (1 + Math.Exp(-values[c])));
            Assert.True((logits.Select(1, c) - (mask.Select(1, c) + logPresence)).Abs().Max().ToDouble() < 1e-4, $"class {c}");
        }
    }

    [Fact]
    public void APropagationDecoderStartsAsItsImageDecoderAndReadsWhereTheObjectWas()
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        using var fresh = new FreshDecoder(width: 16, presence: true, prior: true);
        var (decoder, propagating, maps, guide, prompt, _) = fresh;
        Assert.Equal([16L, LearnedDecoder.PriorChannels, 1, 1], decoder.PriorProjection!.Weight.Shape);
        foreach (var (name, p) in decoder.NamedParameters().Where(p => !p.Name.StartsWith(LearnedDecoder.PriorPrefix + ".", StringComparison.Ordinal)))
            Init.Normal_(p, 0, 0.3, new Generator(21));

        // The same weights without the prior projection: the image decoder it was fine-tuned from.
        using var image = new LearnedDecoder(decoder.LevelChannels, 16, presence: true);
        image.Eval();
        var load = image.LoadStateDict(decoder.StateDict(), strict: false);
        Assert.Equal([$"{LearnedDecoder.PriorPrefix}.weight"], load.Unexpected);
        Assert.Empty(load.Missing);
        var imageSegmenter = new Segmenter(fresh.Encoder, "mobilenetv2", fresh.Options, image);
        var expected = imageSegmenter.DecodeLogits(maps, guide, prompt);
        int s = fresh.Options.InputSize;
        var left = Tensor.Zeros([1, 3, s, s]);
        left.Narrow(3, 0, s / 2).Fill_(1);
        var right = 1.0 - left;
        Assert.True((propagating.DecodeLogits(maps, guide, prompt, left) - expected).Abs().Max().ToDouble() < 1e-4, "a zero prior projection must leave the image decoder's logits");

        // Trained (random weights here), the logits depend on where the prior says the object was.
        Init.Normal_(decoder.PriorProjection.Weight, 0, 1, new Generator(22));
        var fromLeft = propagating.DecodeLogits(maps, guide, prompt, left);
        var fromRight = propagating.DecodeLogits(maps, guide, prompt, right);
        Assert.True((fromLeft - fromRight).Abs().Max().ToDouble() > 1e-2);

        var missing = Assert.Throws<ArgumentException>(() => propagating.DecodeLogits(maps, guide, prompt));
        Assert.Contains("propagation decoder", missing.Message);
        var extra = Assert.Throws<ArgumentException>(() => imageSegmenter.DecodeLogits(maps, guide, prompt, left));
        Assert.Contains("reads no mask prior", extra.Message);
        var shape = Assert.Throws<ArgumentException>(() => propagating.DecodeLogits(maps, guide, prompt, left.Narrow(1, 0, 2)));
        Assert.Contains("[1, 3, H, W]", shape.Message);
        Assert.Throws<ArgumentException>(() => propagating.DecodeLogits(maps, guide, prompt, Tensor.Zeros([1, 3, s, s / 2])));
    }

    [Fact]
    public void ARefinementStartsAsItsDecoderAndCorrectsTheMaskAtTheFinerGrid()
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        using var fresh = new FreshDecoder(width: 16, presence: true, prior: true);
        var (decoder, propagating, maps, guide, prompt, _) = fresh;
        foreach (var (_, p) in decoder.NamedParameters()) Init.Normal_(p, 0, 0.3, new Generator(31));
        var (_, fine) = InContextRecipeRunner.Channels(fresh.Encoder, fresh.Options, 6);
        Assert.Equal(new FineLevel(6, 32), fine);
        var coarse = Assert.Throws<ArgumentException>(() => InContextRecipeRunner.Channels(fresh.Encoder, fresh.Options, 10));
        Assert.Contains("finer than the matched levels", coarse.Message);

        // The same weights with a fresh refinement: its zero head leaves the decoder's logits exactly.
        using var refining = new LearnedDecoder(decoder.LevelChannels, 16, presence: true, prior: true, fine);
        refining.Eval();
        var load = refining.LoadStateDict(decoder.StateDict(), strict: false);
        Assert.Empty(load.Unexpected);
        Assert.NotEmpty(load.Missing);
        Assert.All(load.Missing, k => Assert.StartsWith(LearnedDecoder.RefinementPrefix + ".", k));
        var refiner = new Segmenter(fresh.Encoder, "mobilenetv2", fresh.Options, refining);
        Assert.Equal([.. fresh.Options.Levels, 6], refiner.EncodingLevels);
        int s = fresh.Options.InputSize;
        var target = Tensor.Randn([1, 3, s, s], new Generator(1));                               // the target FreshDecoder encoded
        var withFine = fresh.Encoder.ForwardIntermediates(target, refiner.EncodingLevels).Select(m => m.Features).ToArray();
        Assert.Equal([1L, 32, s / 8, s / 8], withFine[^1].Shape);
        var prior = Tensor.Zeros([1, 3, s, s]);
        prior.Narrow(3, 0, s / 2).Fill_(1);
        var expected = propagating.DecodeLogits(maps, guide, prompt, prior);
        Assert.True((refiner.DecodeLogits(withFine, guide, prompt, prior) - expected).Abs().Max().ToDouble() < 1e-5, "a zero refinement head must leave the decoder's logits");

        // Trained (random weights here), it corrects the mask from the target's fine features and the fine prior.
        foreach (var (_, p) in refining.Refinement!.NamedParameters()) Init.Normal_(p, 0, 0.3, new Generator(32));
        var refined = refiner.DecodeLogits(withFine, guide, prompt, prior);
        Assert.True((refined - expected).Abs().Max().ToDouble() > 1e-2);
        var otherFine = withFine.ToArray();
        otherFine[^1] = withFine[^1].Flip([3]);
        Assert.True((refiner.DecodeLogits(otherFine, guide, prompt, prior) - refined).Abs().Max().ToDouble() > 1e-3, "the correction reads the fine map");
        var shifted = Tensor.Zeros([1, 3, s, s]);
        shifted.Narrow(3, 0, s / 2 + 4).Fill_(1);                                                 // half a fine cell more
        Assert.True((refiner.DecodeLogits(withFine, guide, prompt, shifted) - refined).Abs().Max().ToDouble() > 1e-3, "the correction reads the prior at the fine grid");

        var missing = Assert.Throws<ArgumentException>(() => refiner.DecodeLogits(maps, guide, prompt, prior));
        Assert.Contains("levels 10,13,16,17,6", missing.Message);
        otherFine[^1] = withFine[^1].Narrow(1, 0, 16);
        var wrong = Assert.Throws<ArgumentException>(() => refiner.DecodeLogits(otherFine, guide, prompt, prior));
        Assert.Contains("fine map", wrong.Message);

        // Its file says where it refines; a description that leaves that out does not match the decoder.
        var info = new DecoderInfo("mobilenetv2", [.. fresh.Options.Levels], decoder.LevelChannels, 16, s, "tests", "none.yaml", 3, Presence: true, Prior: true);
        string path = Path.Combine(_dir, "refining.safetensors");
        Assert.Throws<ArgumentException>(() => DecoderFile.Save(path, refining, info));
        DecoderFile.Save(path, refining, info with { FineLevel = 6, FineChannels = 32 });
        var (loaded, read) = DecoderFile.Load(path);
        using (loaded)
        {
            Assert.Equal(fine, read.Fine);
            Assert.Equal(fine, loaded.Fine);
            var reloaded = new Segmenter(fresh.Encoder, "mobilenetv2", fresh.Options, loaded);
            Assert.True((reloaded.DecodeLogits(withFine, guide, prompt, prior) - refined).Abs().Max().ToDouble() < 1e-6);
        }
    }

    [Fact]
    public void LogPresenceIsLogSigmoidWithoutOverflow()
    {
        using var scope = DisposeScope.Begin();
        double[] x = [-200, -30, -3, 0, 2.5, 40, 200];
        var actual = LearnedDecoder.LogPresence(Tensor.From(x.Select(v => (float)v).ToArray(), x.Length)).ToArray<float>();
        for (int i = 0; i < x.Length; i++)
        {
            double expected = x[i] < 0 ? x[i] - Math.Log(1 + Math.Exp(x[i])) : -Math.Log(1 + Math.Exp(-x[i]));
            Assert.Equal(expected, actual[i], 4);
        }
    }

    [Fact]
    public void ItsFileRoundTripsAndIsRefusedForAnotherEncoder()
    {
        using var scope = DisposeScope.Begin();
        using var decoder = new LearnedDecoder([64, 96, 160, 320], width: 16);
        foreach (var (_, p) in decoder.NamedParameters()) Init.Normal_(p, 0, 0.1, new Generator(5));
        var info = new DecoderInfo("mobilenetv2", [10, 13, 16, 17], [64, 96, 160, 320], 16, 512, "tests", "none.yaml", 7);
        string path = Path.Combine(_dir, "decoder.safetensors");
        DecoderFile.Save(path, decoder, info);
        Assert.Throws<IOException>(() => DecoderFile.Save(path, decoder, info));
        var (loaded, read) = DecoderFile.Load(path);
        using (loaded)
        {
            Assert.Equal(info.Encoder, read.Encoder);
            Assert.Equal(info.Levels, read.Levels);
            Assert.Equal(7, read.Steps);
            foreach (var ((name, a), (_, b)) in decoder.NamedParameters().Zip(loaded.NamedParameters()))
            {
                Assert.True(a.Equal(b), name);
            }
            Assert.False(loaded.Training);
        }
        var wrongEncoder = Assert.Throws<ArgumentException>(() => DecoderFile.CheckFits(path, read, "resnet50", [10, 13, 16, 17]));
        Assert.Contains("for mobilenetv2, not for resnet50", wrongEncoder.Message);
        Assert.Throws<ArgumentException>(() => DecoderFile.CheckFits(path, read, "mobilenetv2", [16, 17]));

        string plain = Path.Combine(_dir, "plain.safetensors");
        SafeTensors.Save(plain, decoder.StateDict());
        var notDecoder = Assert.Throws<CheckpointFormatException>(() => DecoderFile.ReadInfo(plain));
        Assert.Contains(DecoderFile.MetadataKey, notDecoder.Message);
        Assert.Throws<FileNotFoundException>(() => DecoderFile.ReadInfo(Path.Combine(_dir, "missing.safetensors")));

        // A presence head travels with its file; a description that leaves it out does not match the decoder.
        using var withPresence = new LearnedDecoder([64, 96, 160, 320], width: 16, presence: true);
        foreach (var (_, p) in withPresence.NamedParameters()) Init.Normal_(p, 0, 0.1, new Generator(6));
        string presencePath = Path.Combine(_dir, "presence.safetensors");
        Assert.Throws<ArgumentException>(() => DecoderFile.Save(presencePath, withPresence, info));
        DecoderFile.Save(presencePath, withPresence, info with { Presence = true });
        var (reloaded, presenceInfo) = DecoderFile.Load(presencePath);
        using (reloaded)
        {
            Assert.True(presenceInfo.Presence);
            Assert.True(withPresence.PresenceHead!.NamedParameters().Zip(reloaded.PresenceHead!.NamedParameters()).All(pair => pair.First.Parameter.Equal(pair.Second.Parameter)));
        }
        // A propagation decoder's prior projection travels too; a description must say it reads a prior.
        using var withPrior = new LearnedDecoder([64, 96, 160, 320], width: 16, presence: true, prior: true);
        foreach (var (_, p) in withPrior.NamedParameters()) Init.Normal_(p, 0, 0.1, new Generator(7));
        string priorPath = Path.Combine(_dir, "prior.safetensors");
        Assert.Throws<ArgumentException>(() => DecoderFile.Save(priorPath, withPrior, info with { Presence = true }));
        DecoderFile.Save(priorPath, withPrior, info with { Presence = true, Prior = true });
        var (propagating, priorInfo) = DecoderFile.Load(priorPath);
        using (propagating)
        {
            Assert.True(priorInfo.Prior);
            Assert.True(withPrior.PriorProjection!.Weight.Equal(propagating.PriorProjection!.Weight));
        }
        // Files written before presence heads and priors existed say nothing about them: they have neither.
        var old = JsonSerializer.Deserialize<DecoderInfo>("""{"encoder":"mobilenetv2","levels":[17],"level_channels":[320],"width":16,"input_size":512,"trained_on":"x","recipe":"r.yaml","steps":1}""")!;
        Assert.False(old.Prior);
        Assert.False(JsonSerializer.Deserialize<DecoderInfo>("""{"encoder":"mobilenetv2","levels":[17],"level_channels":[320],"width":16,"input_size":512,"trained_on":"x","recipe":"r.yaml","steps":1}""")!.Presence);
    }
}
