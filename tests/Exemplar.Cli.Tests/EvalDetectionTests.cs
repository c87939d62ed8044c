using System.Text.Json;
using Xunit.Abstractions;
using Exemplar.InContext.Evaluation;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Metrics;

namespace Exemplar.Cli.Tests;

/// <summary><c>exemplar eval --detection</c> on a few coco-mini categories with the default bundle.</summary>
public sealed class EvalDetectionTests(ITestOutputHelper log) : IDisposable
{
    private const string Train = "data/coco-mini/annotations/instances_train2017.json";
    private const string Val = "data/coco-mini/annotations/instances_val2017.json";

    private readonly string _dir = Directory.CreateTempSubdirectory("exemplar-detection-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SharedFact(Train, Val)]
    public void DetectionAp50OnCocoMiniBeatsRandomBoxes()
    {
        string root = SharedFolder.PathOf("data/coco-mini");
        string json = Path.Combine(_dir, "detection.json");
        var (code, output, error) = Cli.Run("eval", "--detection", "--dataset", $"coco-mini:{root}", "--categories", "16", "--images", "3", "--json", json);
        Assert.True(code == 0, error);
        Assert.Contains("box AP50", output);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var r = doc.RootElement;
        Assert.Equal("mobilenetv2-int8-onnx", r.GetProperty("segmenter").GetString());
        Assert.Equal(5, r.GetProperty("shots").GetInt32());
        double ap50 = r.GetProperty("ap50").GetDouble();
        Assert.InRange(ap50, 0, 100);
        var categories = r.GetProperty("categories").EnumerateArray().ToList();
        // 16 categories: with 8, one category's AP50 is an eighth of the score and one lucky region decides the test.
        Assert.Equal(16, categories.Count);
        Assert.Equal(16, r.GetProperty("per_category").EnumerateObject().Count());
        Assert.Equal(ap50, categories.Average(c => c.GetProperty("ap50").GetDouble()), 9);
        Assert.All(categories, c => Assert.InRange(c.GetProperty("shots").GetInt32(), 1, 5));
        Assert.All(categories, c => Assert.InRange(c.GetProperty("positives").GetInt32(), 1, 3));
        Assert.All(categories, c => Assert.Equal(c.GetProperty("positives").GetInt32(), c.GetProperty("negatives").GetInt32()));

        // Chance: 10 uniformly random boxes with random scores in each image segmented for a category, scored against
        // the same ground truth, averaged over 20 draws.
        var val = new CocoInstancesDataset(root, CocoOptions.ForSplit("val2017"));
        var indexOf = Enumerable.Range(0, val.Count).ToDictionary(val.ImageIdOf);
        var groundTruth = new List<GroundTruthBox>();
        var targets = new List<(int Category, int Index)>();
        foreach (var c in categories)
        {
            int category = c.GetProperty("category_id").GetInt32();
            foreach (var id in c.GetProperty("targets").EnumerateArray().Select(t => t.GetInt64()))
            {
                targets.Add((category, indexOf[id]));
                groundTruth.AddRange(DetectionEvaluator.GroundTruthOf(val, indexOf[id], category));
            }
        }
        Assert.Equal(categories.Sum(c => c.GetProperty("ground_truth").GetInt32()), groundTruth.Count(g => !g.IsCrowd));
        var sizes = targets.Select(t => t.Index).Distinct().ToDictionary(i => i, i => { using var s = val.Load(i); return ((int)s.Image.Size(1), (int)s.Image.Size(2)); });
        var random = new Random(7);
        double chance = Enumerable.Range(0, 20).Average(_ =>
        {
            var boxes = new List<DetectionBox>();
            foreach (var (category, index) in targets)
            {
                var (h, w) = sizes[index];
                for (int k = 0; k < 10; k++)
                {
                    double x = random.NextDouble() * w, y = random.NextDouble() * h;
                    boxes.Add(new DetectionBox(val.ImageIdOf(index), category, new BoundingBox(x, y, random.NextDouble() * (w - x), random.NextDouble() * (h - y)), random.NextDouble()));
                }
            }
            return BoxAveragePrecision.Evaluate(groundTruth, boxes).MeanAveragePrecision * 100;
        });
        log.WriteLine($"AP50 {ap50:F2}, random boxes {chance:F2}");
        Assert.True(ap50 > chance + 2, $"AP50 {ap50:F1} vs random boxes {chance:F1}");
    }

    [SharedFact(Train, Val)]
    public void DetectionOptionsAreCheckedAndNeedInstanceData()
    {
        string root = SharedFolder.PathOf("data/coco-mini");
        var (code, _, error) = Cli.Run("eval", "--dataset", $"coco-mini:{root}", "--images", "3");
        Assert.Equal(1, code);
        Assert.Contains("--images is an option of --detection", error);
        (code, _, error) = Cli.Run("eval", "--detection", "--dataset", $"perseg:{root}");
        Assert.Equal(1, code);
        Assert.Contains("--detection scores instance data", error);
        (code, _, error) = Cli.Run("eval", "--detection", "--dataset", $"coco-mini:{root}", "--episodes", "3");
        Assert.Equal(1, code);
        Assert.Contains("--episodes is for few-shot episodes", error);
        (code, _, error) = Cli.Run("eval", "--detection", "--dataset", $"coco-mini:{root}", "--negatives", "some");
        Assert.Equal(1, code);
        Assert.Contains("--negatives takes a number", error);
    }
}

/// <summary>The two layers' object extraction (Exemplar.Runtime's own and Exemplar.InContext's) agree on one result.</summary>
public sealed class ObjectParityTests
{
    private static string Sample(string file) => Path.Combine(SharedFolder.RepositoryRoot, "samples", "perseg", file);

    [Fact]
    public void RuntimeObjectsAndObjectDetectionFindTheSameObjects()
    {
        using var model = Exemplar.Runtime.ExemplarModel.Load();
        using var prompt = model.Encode([new Exemplar.Runtime.Example(Sample("duck_toy_00.jpg"), Sample("duck_toy_00.png"))]);
        // A low threshold gives many objects, specks included, to compare.
        var runtime = model.Segment(prompt, Sample("cat_01.jpg"), new Exemplar.Runtime.SegmentOptions { Threshold = 0.2f });
        using var tensors = RuntimeExampleSegmenter.ToTensors(runtime);
        var ours = Exemplar.InContext.ObjectDetection.Find(tensors, new Exemplar.InContext.ObjectDetectionOptions { MinArea = 16 });
        Assert.True(runtime.Objects.Count >= 2, $"{runtime.Objects.Count} object(s)");
        var expected = runtime.Objects.Select(o => (o.ClassIndex, o.Box.X, o.Box.Y, o.Box.Width, o.Box.Height, (long)o.Area)).Order().ToList();
        var actual = ours.Select(o => (o.ClassIndex, o.Box.X, o.Box.Y, o.Box.Width, o.Box.Height, o.Area)).Order().ToList();
        Assert.Equal(expected, actual);
        var scoreOf = runtime.Objects.ToDictionary(o => (o.Box.X, o.Box.Y, o.Box.Width, o.Box.Height, (long)o.Area), o => (double)o.Score);
        Assert.All(ours, o => Assert.Equal(scoreOf[(o.Box.X, o.Box.Y, o.Box.Width, o.Box.Height, o.Area)], o.Score, 4));
    }
}
