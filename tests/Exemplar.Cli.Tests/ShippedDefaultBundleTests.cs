using System.Text.Json.Nodes;
using Exemplar.InContext;
using Exemplar.Runtime;

namespace Exemplar.Cli.Tests;

/// <summary>
/// The default bundle in models/ carries the trained in-context decoder (models/README.md) and keeps its scores: floors
/// on a subset of the shared suite that the training-free decoder stays well below (51.9, 39.5 and 34.3 there).
/// </summary>
public sealed class ShippedDefaultBundleTests : CliTest
{
    private static string Models(string file) => Path.Combine(SharedFolder.RepositoryRoot, "models", file);

    [Fact]
    public void TheDefaultBundleAndItsDecoderDescribeThemselves()
    {
        using var model = ExemplarModel.Load(Models(ExemplarModel.DefaultBundleName));
        Assert.Equal("mobilenetv2-int8-learned-decoder", model.Info.Name);
        Assert.False(model.Info.IsSupervised);
        var info = DecoderFile.ReadInfo(Models("mobilenetv2-incontext-decoder.safetensors"));
        Assert.Equal("mobilenetv2", info.Encoder);
        Assert.Equal([10, 13, 16, 17], info.Levels);
        Assert.Equal(512, info.InputSize);
        Assert.Equal(800, info.Steps);                                                       // the presence head's run
        Assert.True(info.Presence);
        Assert.Contains("DAVIS (480p, 30 sequences)", info.TrainedOn);                        // davis2016-train, not the 10 val sequences
        Assert.Contains("CCP, 251 of 502", info.TrainedOn);                                   // the train side of the shared split
        Assert.False(info.Prior);

        // Its propagation decoder, the bundle's tracker graph: the same decoder fine-tuned with a mask prior.
        Assert.True(model.Info.HasTracker);
        var tracker = DecoderFile.ReadInfo(Models("mobilenetv2-incontext-tracker.safetensors"));
        Assert.True(tracker.Prior && tracker.Presence);
        Assert.Equal(info.Levels, tracker.Levels);
        Assert.Equal(info.InputSize, tracker.InputSize);
        Assert.Equal("incontext-mobilenetv2-track.yaml", tracker.Recipe);
        Assert.Contains("DAVIS (480p, 30 sequences)", tracker.TrainedOn);
    }

    [SharedFact("data/davis2016/JPEGImages/480p/dog/00000.jpg", "data/isbi2012/images/20.png")]
    public void KeepsItsScoresOnTheEvalSide()
    {
        foreach (var (kind, folder, floor) in new[] { ("davis2016", "data/davis2016", 60.0), ("isbi2012", "data/isbi2012", 55.0), ("magnetic-tile", "data/magnetic-tile", 42.0) })
        {
            string json = PathOf($"{kind}.json");
            var (code, _, error) = Cli.Run("eval", "--dataset", $"{kind}:{SharedFolder.PathOf(folder)}", "--episodes", "6", "--bundle", Models(ExemplarModel.DefaultBundleName), "--json", json);
            Assert.True(code == 0, error);
            double miou = JsonNode.Parse(File.ReadAllText(json))!["miou"]!.GetValue<double>();
            Assert.True(miou >= floor, $"{kind} 1-shot mIoU {miou:F1} fell below {floor}");
        }
    }

    [SharedFact("data/davis2016/JPEGImages/480p/breakdance/00039.jpg", "data/davis2016/JPEGImages/480p/dance-twirl/00039.jpg", "data/davis2016/JPEGImages/480p/drift-chicane/00039.jpg")]
    public void ItsPropagationDecoderTracksBetterThanItsImageDecoder()
    {
        // 40 frames of three DAVIS-2016 val sequences where the object moves fast or has look-alikes: J&F 59.8 with
        // the tracker graph, 53.7 with the image decoder, the same tracker otherwise.
        double JAndF(params string[] extra)
        {
            string json = PathOf($"video{extra.Length}.json");
            var (code, _, error) = Cli.Run(["eval", "--video", "--dataset", $"davis2016:{SharedFolder.PathOf("data/davis2016")}", "--sequences", "breakdance", "dance-twirl", "drift-chicane",
                "--frames", "40", "--bundle", Models(ExemplarModel.DefaultBundleName), "--threads", "2", "--json", json, .. extra]);
            Assert.True(code == 0, error);
            return JsonNode.Parse(File.ReadAllText(json))!["j_and_f"]!.GetValue<double>();
        }
        double propagated = JAndF(), image = JAndF("--no-propagation-decoder");
        Assert.True(propagated >= 56 && propagated >= image + 3, $"J&F {propagated:F1} with the propagation decoder, {image:F1} without");
    }
}
