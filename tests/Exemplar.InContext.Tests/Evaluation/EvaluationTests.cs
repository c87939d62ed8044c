using Exemplar.InContext.Evaluation;
using Exemplar.Models.MobileNet;

namespace Exemplar.InContext.Tests.Evaluation;

public sealed class EvaluationTests : IDisposable
{
    private const string Weights = "weights/mobilenetv2-12-int8.onnx";
    private readonly string _dir = Directory.CreateTempSubdirectory("exemplar-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void DatasetSpecsParseAndNameTheKinds()
    {
        var spec = EvaluationDataset.Parse("magnetic-tile:/data/mt");
        Assert.Equal(DatasetKind.MagneticTile, spec.Kind);
        Assert.Equal("/data/mt", spec.Root);
        Assert.Equal("magnetic-tile", spec.KindName);
        var ex = Assert.Throws<ArgumentException>(() => EvaluationDataset.Parse("kitti:/x"));
        Assert.Contains("davis2016", ex.Message);
        Assert.Throws<ArgumentException>(() => EvaluationDataset.Parse("davis2016"));
    }

    /// <summary>The CI subset of the suite: every shared data set, 1- and 5-shot, two episodes each, both segmenters.</summary>
    [SharedFact(Weights, "data/davis2016/JPEGImages/480p/camel/00000.jpg")]
    public void TheSharedSuiteRunsOnASmallFixedSubset()
    {
        using var net = MobileNetV2.FromOnnx(SharedFolder.PathOf(Weights));
        var segmenters = new IExampleSegmenter[]
        {
            new ColorHistogramSegmenter(),
            new FeatureExampleSegmenter(new Segmenter(net, "mobilenetv2", SegmenterOptions.For(net))),
        };
        var suite = EvaluationSuite.RunShared(SharedFolder.Root!, segmenters, episodes: 2);
        var ran = suite.Results.Select(r => (r.Dataset, r.Shots)).Distinct().ToList();
        // Every data set × shot count either ran (with both segmenters) or was skipped with a reason.
        foreach (var (kind, _) in EvaluationSuite.Shared)
        {
            string name = new EvaluationDataset(kind, "").KindName;
            foreach (int shots in EvaluationSuite.Shots)
            {
                bool didRun = ran.Contains((name, shots));
                bool wasSkipped = suite.Skipped.Any(s => s.Dataset == name && s.Shots == shots);
                Assert.True(didRun ^ wasSkipped, $"{name} {shots}-shot: ran {didRun}, skipped {wasSkipped}");
            }
        }
        Assert.All(suite.Skipped, s => Assert.False(string.IsNullOrWhiteSpace(s.Reason)));
        Assert.All(suite.Results, r =>
        {
            Assert.InRange(r.MeanIoU, 0, 100);
            Assert.InRange(r.FbIoU, 0, 100);
            Assert.Equal(2, r.Episodes);
            Assert.NotEmpty(r.PerClass);
        });
        // Learned features beat colour alone on the video frames.
        var davis = suite.Results.Where(r => r.Dataset == "davis2016" && r.Shots == 1).ToDictionary(r => r.Segmenter, r => r.MeanIoU);
        Assert.True(davis["mobilenetv2"] > davis["colour-histogram"], $"mobilenetv2 {davis["mobilenetv2"]:F1} vs colour {davis["colour-histogram"]:F1}");
    }

    [SharedFact(Weights, "data/samples/perseg/cat_00.jpg")]
    public void ReportsSaveTheBestAndWorstEpisodes()
    {
        var (dataset, list) = EvaluationDataset.Parse($"perseg:{SharedFolder.PathOf("data/samples/perseg")}").Open(new EpisodeOptions(1));
        var result = Evaluator.Run(new ColorHistogramSegmenter(), "perseg", dataset, list, reportFolder: _dir);
        Assert.Equal(6, result.Episodes);
        Assert.Equal(3, result.PerClass.Count);
        Assert.Equal(6, Directory.GetFiles(_dir, "*.png").Length);
        Assert.True(result.Worst[0].IoU <= result.Best[0].IoU);
        Assert.Throws<IOException>(() => Evaluator.Run(new ColorHistogramSegmenter(), "perseg", dataset, list, reportFolder: _dir));
    }
}
