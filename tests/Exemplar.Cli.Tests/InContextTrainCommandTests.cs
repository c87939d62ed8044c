using Exemplar.InContext;
using Exemplar.Training.Logging;

namespace Exemplar.Cli.Tests;

/// <summary>
/// <c>exemplar train</c> with an in-context recipe: a few episodic steps for MobileNetV2 write a decoder file that
/// <c>segment --decoder</c> uses and <c>export --decoder</c> bundles; recipe and option errors.
/// </summary>
public sealed class InContextTrainCommandTests : CliTest
{
    /// <summary>In-process runs resolve the recipes' <c>$shared/</c> paths through the environment, as the CLI does.</summary>
    public InContextTrainCommandTests() => Environment.SetEnvironmentVariable("EXEMPLAR_SHARED", SharedFolder.Root);

    /// <summary>Checks that <c>train</c> refuses a recipe of this text, its error holding each of <paramref name="expected"/>.</summary>
    private void AssertRefused(string recipe, params string[] expected)
    {
        string path = PathOf($"refused-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, recipe);
        var (code, _, error) = Cli.Run("train", "--recipe", path, "--out", PathOf($"refused-{Guid.NewGuid():N}"));
        Assert.Equal(1, code);
        foreach (string text in expected) Assert.Contains(text, error);
    }

    private string Recipe(string extra = "")
    {
        string path = PathOf("incontext.yaml");
        File.WriteAllText(path, $"""
        model:
          encoder: mobilenetv2
          weights: $shared/{Cli.Weights}
          width: 16
          input_size: 128
        episodes:
          sources:
            - davis2016:$shared/data/davis2016-train
            - isbi2012:$shared/data/isbi2012
          episodes_per_batch: 2
          min_shots: 1
          max_shots: 2
          batches_per_epoch: 3
          views: 12
        validation:
          sources:
            - isbi2012:$shared/data/isbi2012
          episodes: 2
        optimizer:
          lr: 0.01
        schedule:
          kind: constant
        trainer:
          steps: 4
          seed: 3
          log_every: 1
          validate_every: 2
          checkpoint_every: 2
        {extra}
        """);
        return path;
    }

    [SharedFact(Cli.Weights, "data/davis2016-train/JPEGImages/480p/bear/00000.jpg", "data/isbi2012/images/0.png", Cli.Duck)]
    public void TrainsADecoderThatSegmentAndExportUse()
    {
        string run = PathOf("run");
        var (code, output, error) = Cli.Run("train", "--recipe", Recipe(), "--out", run);
        Assert.True(code == 0, error);
        Assert.Contains("trained 4 steps", output);
        string decoder = Path.Combine(run, "checkpoints", "best", "model.safetensors");
        var info = DecoderFile.ReadInfo(decoder);
        Assert.Equal("mobilenetv2", info.Encoder);
        Assert.Equal(128, info.InputSize);
        Assert.Contains("davis2016", info.TrainedOn);
        var records = JsonlLog.Read(Path.Combine(run, "log.jsonl"));
        Assert.Equal(4, records.Count(r => r["loss"] is not null));
        Assert.Equal(2, records.Count(r => r["val"] is not null));
        Assert.All(records.Where(r => r["loss"] is not null), r => Assert.True(double.IsFinite((double)r["bce"]!) && double.IsFinite((double)r["dice"]!)));

        string masks = PathOf("masks");
        (code, _, error) = Cli.Run("segment", "--weights", SharedFolder.PathOf(Cli.Weights), "--decoder", decoder,
            "--example", Cli.PerSeg("duck_toy_00.jpg"), "--mask", Cli.PerSeg("duck_toy_00.png"), "--target", Cli.PerSeg("duck_toy_01.jpg"), "--out", masks);
        Assert.True(code == 0, error);
        Assert.NotEmpty(Directory.GetFiles(masks, "*.png"));

        string bundle = PathOf("learned.exemplar");
        (code, output, error) = Cli.Run("export", "--weights", SharedFolder.PathOf(Cli.Weights), "--decoder", decoder, "--out", bundle);
        Assert.True(code == 0, error);
        Assert.Contains("learned-decoder", output);

        // A decoder is for the encoder it was trained on, and the bundle engine brings its own.
        (code, _, error) = Cli.Run("segment", "--decoder", decoder, "--example", Cli.PerSeg("duck_toy_00.jpg"), "--mask", Cli.PerSeg("duck_toy_00.png"), "--target", Cli.PerSeg("duck_toy_01.jpg"), "--out", PathOf("x"));
        Assert.Equal(1, code);
        Assert.Contains("--decoder is for --engine torch", error);
    }

    [SharedFact(Cli.Weights, "data/davis2016-train/JPEGImages/480p/bear/00000.jpg", "data/isbi2012/images/0.png")]
    public void APresenceHeadIsAddedToADecoderTrainedWithoutOne()
    {
        string first = PathOf("first");
        var (code, _, error) = Cli.Run("train", "--recipe", Recipe(), "--out", first);
        Assert.True(code == 0, error);
        string start = Path.Combine(first, "checkpoints", "last", "model.safetensors");
        Assert.False(DecoderFile.ReadInfo(start).Presence);

        // The mask weights come from the start file and stay as they were (presence_only), the presence head is
        // fresh; every target trains it.
        string path = Recipe("loss:\n  presence: 0.5");
        File.WriteAllText(path, File.ReadAllText(path)
            .Replace("input_size: 128", $"input_size: 128\n  presence: true\n  presence_only: true\n  decoder_weights: {start}")
            .Replace("views: 12", "views: 12\n  negatives: 0.5\n  same_source_negatives: 1"));
        string second = PathOf("second");
        (code, _, error) = Cli.Run("train", "--recipe", path, "--out", second);
        Assert.True(code == 0, error);
        string decoder = Path.Combine(second, "checkpoints", "last", "model.safetensors");
        Assert.True(DecoderFile.ReadInfo(decoder).Presence);
        var records = JsonlLog.Read(Path.Combine(second, "log.jsonl")).Where(r => r["loss"] is not null).ToList();
        Assert.Equal(4, records.Count);
        Assert.All(records, r => Assert.True(double.IsFinite((double)r["presence"]!)));
        var (loaded, _) = DecoderFile.Load(decoder);
        var (startDecoder, _) = DecoderFile.Load(start);
        using (loaded)
        using (startDecoder)
        {
            Assert.NotNull(loaded.PresenceHead);
            var trained = loaded.StateDict();
            Assert.All(startDecoder.StateDict(), p => Assert.True(p.Value.Equal(trained[p.Key]), $"{p.Key} changed"));
            Assert.Contains(trained, p => p.Key.StartsWith(LearnedDecoder.PresencePrefix + ".", StringComparison.Ordinal)
                && p.Key.EndsWith(".bias", StringComparison.Ordinal) && p.Value.NumEl == 1 && Math.Abs(p.Value.ToDouble() - LearnedDecoder.InitialPresenceLogit) > 1e-6);
        }

        // A decoder with a presence head cannot lose it.
        string trainsHead = File.ReadAllText(path);
        File.WriteAllText(path, trainsHead.Replace("presence: true", "presence: false").Replace("  presence_only: true\n", "").Replace(start, decoder));
        (code, _, error) = Cli.Run("train", "--recipe", path, "--out", PathOf("third"));
        Assert.Equal(1, code);
        Assert.Contains("model.decoder_weights", error);
        Assert.Contains("set model.presence: true", error);
        // Training only a presence head needs one, and a decoder to put it on.
        File.WriteAllText(path, trainsHead.Replace($"  decoder_weights: {start}\n", ""));
        (code, _, error) = Cli.Run("train", "--recipe", path, "--out", PathOf("fourth"));
        Assert.Equal(1, code);
        Assert.Contains("model.presence_only", error);

        // A refinement trained alone on that decoder (validated: it is an image decoder): everything else stays.
        string refine = Recipe();
        string refineText = File.ReadAllText(refine).Replace("input_size: 128", $"input_size: 128\n  presence: true\n  refinement_only: true\n  decoder_weights: {decoder}");
        AssertRefused(refineText, "model.refinement_only");
        File.WriteAllText(refine, refineText.Replace("refinement_only: true", "refinement_only: true\n  fine_level: 6"));
        string refined = PathOf("refined");
        (code, _, error) = Cli.Run("train", "--recipe", refine, "--out", refined);
        Assert.True(code == 0, error);
        var (withRefinement, refinedInfo) = DecoderFile.Load(Path.Combine(refined, "checkpoints", "last", "model.safetensors"));
        var (presenceDecoder, _) = DecoderFile.Load(decoder);
        using (withRefinement)
        using (presenceDecoder)
        {
            Assert.Equal(6, refinedInfo.FineLevel);
            var trained = withRefinement.StateDict();
            Assert.All(presenceDecoder.StateDict(), p => Assert.True(p.Value.Equal(trained[p.Key]), $"{p.Key} changed"));
            Assert.True(withRefinement.Refinement!.Head.Weight.Abs().Max().ToDouble() > 0, "the refinement's head trained from zero");
        }
        Assert.Contains(JsonlLog.Read(Path.Combine(refined, "log.jsonl")), r => r["val"] is not null);
    }

    [SharedFact(Cli.Weights, "data/davis2016-train/JPEGImages/480p/bear/00000.jpg", "data/isbi2012/images/0.png", Cli.Duck)]
    public void APropagationDecoderIsFineTunedFromAnImageDecoderAndBundledAsTheTrackerGraph()
    {
        string first = PathOf("image");
        var (code, _, error) = Cli.Run("train", "--recipe", Recipe(), "--out", first);
        Assert.True(code == 0, error);
        string start = Path.Combine(first, "checkpoints", "last", "model.safetensors");

        // Validation episodes have no previous frame: a propagation recipe has none.
        string path = Recipe();
        string withValidation = File.ReadAllText(path).Replace("input_size: 128", $"input_size: 128\n  prior: true\n  decoder_weights: {start}");
        AssertRefused(withValidation, "validation.sources");
        AssertRefused(withValidation.Replace("prior: true", "prior: true\n  presence: true\n  presence_only: true"), "model.presence_only");
        int from = withValidation.IndexOf("validation:", StringComparison.Ordinal), to = withValidation.IndexOf("optimizer:", StringComparison.Ordinal);
        string propagation = withValidation.Remove(from, to - from).Replace("views: 12", "views: 12\n  prior_shift: 0.3");
        // A refinement reads a level finer than the matched ones (block 10 is at their stride 16).
        AssertRefused(propagation.Replace("prior: true", "prior: true\n  fine_level: 10"), "model.fine_level", "finer than the matched levels");
        File.WriteAllText(path, propagation.Replace("prior: true", "prior: true\n  fine_level: 6"));
        string run = PathOf("propagation");
        (code, _, error) = Cli.Run("train", "--recipe", path, "--out", run);
        Assert.True(code == 0, error);
        string decoder = Path.Combine(run, "checkpoints", "last", "model.safetensors");
        var info = DecoderFile.ReadInfo(decoder);
        Assert.True(info.Prior);
        Assert.Equal((6, 32L), (info.FineLevel, info.FineChannels));
        var (loaded, _) = DecoderFile.Load(decoder);
        using (loaded)
        {
            Assert.True(loaded.PriorProjection!.Weight.Abs().Max().ToDouble() > 0, "the prior projection trained from zero");
            Assert.True(loaded.Refinement!.Head.Weight.Abs().Max().ToDouble() > 0, "the refinement's head trained from zero");
        }

        // It is no image decoder; exported beside the image decoder, it is the bundle's tracker graph.
        (code, _, error) = Cli.Run("segment", "--weights", SharedFolder.PathOf(Cli.Weights), "--decoder", decoder,
            "--example", Cli.PerSeg("duck_toy_00.jpg"), "--mask", Cli.PerSeg("duck_toy_00.png"), "--target", Cli.PerSeg("duck_toy_01.jpg"), "--out", PathOf("masks"));
        Assert.Equal(1, code);
        Assert.Contains("is a propagation decoder", error);
        string bundle = PathOf("tracker.exemplar");
        (code, _, error) = Cli.Run("export", "--weights", SharedFolder.PathOf(Cli.Weights), "--decoder", start, "--tracker-decoder", start, "--out", bundle);
        Assert.Equal(1, code);
        Assert.Contains("is not a propagation decoder", error);
        (code, _, error) = Cli.Run("export", "--weights", SharedFolder.PathOf(Cli.Weights), "--decoder", start, "--tracker-decoder", decoder, "--out", bundle);
        Assert.True(code == 0, error);
        using (var zip = System.IO.Compression.ZipFile.OpenRead(bundle)) Assert.NotNull(zip.GetEntry("tracker.onnx"));
        using (var model = Exemplar.Runtime.ExemplarModel.Load(bundle))
        {
            Assert.True(model.Info.HasTracker);
            Assert.Equal(6, model.Info.FineLevel);
        }

        // The runtime tracks with it: the encoder's fine map goes to the tracker graph only.
        string frames = PathOf("frames");
        Directory.CreateDirectory(frames);
        string Bear(string kind, int frame, string ext) => SharedFolder.PathOf($"data/davis2016-train/{kind}/480p/bear/{frame:D5}.{ext}");
        foreach (int i in new[] { 2, 4 }) File.Copy(Bear("JPEGImages", i, "jpg"), Path.Combine(frames, $"{i:D5}.jpg"));  // the frames the shared copy keeps
        var (trackCode, stdout, trackError) = Cli.Run("track", "--bundle", bundle, "--example", Bear("JPEGImages", 0, "jpg"), "--mask", Bear("Annotations", 0, "png"),
            "--frames", frames, "--out", PathOf("tracked"), "--threads", "2");
        Assert.True(trackCode == 0, trackError);
        Assert.Contains("tracked 2 frame(s)", stdout);
        Assert.True(File.Exists(Path.Combine(PathOf("tracked"), "00004.png")));
    }

    [SharedFact(Cli.Weights)]
    public void RecipeErrorsNameTheLine()
    {
        var (code, _, error) = Cli.Run("train", "--recipe", Recipe("loss:\n  focal: 1"), "--out", PathOf("bad"));
        Assert.Equal(1, code);
        Assert.Contains("'loss.focal'", error);
        string noSources = PathOf("empty.yaml");
        File.WriteAllText(noSources, $"model:\n  encoder: mobilenetv2\n  weights: $shared/{Cli.Weights}\nepisodes:\n  min_shots: 3\n  max_shots: 2\ntrainer:\n  steps: 2\n");
        (code, _, error) = Cli.Run("train", "--recipe", noSources, "--out", PathOf("bad2"));
        Assert.Equal(1, code);
        Assert.Contains("min_shots", error);
        Assert.Contains("empty.yaml:4", error);
        // A held-out COCO-20i fold needs a fold number and a COCO source.
        string heldOut = Recipe();
        File.WriteAllText(heldOut, File.ReadAllText(heldOut).Replace("views: 12", "views: 12\n  held_out_fold: 0"));
        (code, _, error) = Cli.Run("train", "--recipe", heldOut, "--out", PathOf("bad3"));
        Assert.Equal(1, code);
        Assert.Contains("episodes.held_out_fold", error);
        Assert.Contains("no coco-mini source", error);
    }
}
