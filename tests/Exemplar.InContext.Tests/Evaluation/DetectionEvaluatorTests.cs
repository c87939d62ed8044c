using System.Text.Json;
using Exemplar.InContext.Evaluation;
using Exemplar.Torch;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.IO;

namespace Exemplar.InContext.Tests.Evaluation;

/// <summary>The detection protocol on a written COCO data set of coloured squares, with a segmenter that matches colours.</summary>
public sealed class DetectionEvaluatorTests : IDisposable
{
    private const int Size = 64;
    private readonly string _dir = Directory.CreateTempSubdirectory("exemplar-detection-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly byte[] Red = [220, 30, 30], Blue = [30, 30, 220];

    /// <summary>Writes split <paramref name="split"/>: images of squares (colour, x, y, side) on grey, and their instances.</summary>
    private CocoInstancesDataset Write(string split, params (byte[] Colour, int X, int Y, int Side)[][] images)
    {
        var imageJson = new List<object>();
        var annotations = new List<object>();
        Directory.CreateDirectory(Path.Combine(_dir, split));
        for (int i = 0; i < images.Length; i++)
        {
            var rgb = new byte[3 * Size * Size];
            for (int p = 0; p < Size * Size; p++) for (int c = 0; c < 3; c++) rgb[c * Size * Size + p] = (byte)(100 + (p * 7 + c) % 20);
            foreach (var (colour, x0, y0, side) in images[i])
            {
                for (int y = y0; y < y0 + side; y++) for (int x = x0; x < x0 + side; x++) for (int c = 0; c < 3; c++) rgb[c * Size * Size + y * Size + x] = colour[c];
                annotations.Add(new Dictionary<string, object>
                {
                    ["id"] = annotations.Count + 1, ["image_id"] = i + 1, ["category_id"] = colour == Red ? 1 : 2, ["iscrowd"] = 0, ["area"] = side * side,
                    ["bbox"] = new[] { x0, y0, side, side },
                    ["segmentation"] = new[] { new[] { x0, y0, x0 + side, y0, x0 + side, y0 + side, x0, y0 + side } },
                });
            }
            using var image = Tensor.From(rgb, 3, Size, Size);
            ImageWriter.WritePng(Path.Combine(_dir, split, $"{i + 1}.png"), image);
            imageJson.Add(new Dictionary<string, object> { ["id"] = i + 1, ["file_name"] = $"{i + 1}.png", ["height"] = Size, ["width"] = Size });
        }
        Directory.CreateDirectory(Path.Combine(_dir, "annotations"));
        File.WriteAllText(Path.Combine(_dir, "annotations", $"instances_{split}.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["images"] = imageJson, ["annotations"] = annotations,
            ["categories"] = new[] { new Dictionary<string, object> { ["id"] = 1, ["name"] = "red" }, new Dictionary<string, object> { ["id"] = 2, ["name"] = "blue" } },
        }));
        return new CocoInstancesDataset(_dir, CocoOptions.ForSplit(split));
    }

    /// <summary>
    /// Marks target pixels within 60 (summed over R, G, B) of the mean colour of the examples' masked pixels (probability 0.9, else 0.1), and
    /// records the prompts it was given.
    /// </summary>
    private sealed class ColourMatcher : IExampleSegmenter
    {
        public List<(string Class, int Examples, long MaskPixels, long IgnoredPixels)> Prompts { get; } = [];

        public string Name => "colour-matcher";

        public IReadOnlyList<SegmentationResult> SegmentEpisode(PromptSet prompts, IReadOnlyList<Tensor> targets)
        {
            using var scope = DisposeScope.Begin();
            var sum = new double[3];
            long pixels = 0, ignored = 0;
            foreach (var e in prompts.Examples)
            {
                var inside = e.Masks.Select(0, 0).Ne(0);
                pixels += inside.Sum().Item<long>();
                if (e.Ignore is not null) ignored += e.Ignore.Ne(0).Sum().Item<long>();
                for (int c = 0; c < 3; c++) sum[c] += (e.Image.Select(0, c).To(DType.Float32) * inside.To(DType.Float32)).Sum().Item<float>();
            }
            Prompts.Add((prompts.ClassNames[0], prompts.Examples.Count, pixels, ignored));
            var mean = sum.Select(s => s / pixels).ToArray();
            var results = new List<SegmentationResult>();
            foreach (var target in targets)
            {
                var distance = Tensor.Zeros([target.Size(1), target.Size(2)]);
                for (int c = 0; c < 3; c++) distance = distance + (target.Select(0, c).To(DType.Float32) - mean[c]).Abs();
                var scores = Tensor.Where(distance.Lt(60), Tensor.Full([], 0.9), 0.1).Unsqueeze(0);
                var result = SegmentationResult.FromScores(scores, 0.5);
                result.LabelMap.DetachFromScope();
                result.Masks.DetachFromScope();
                result.Scores.DetachFromScope();
                results.Add(result);
            }
            return results;
        }
    }

    [Fact]
    public void ExamplesComeFromOneSplitAndObjectsAreScoredOnTheOther()
    {
        // Train: image 1 has two red squares (one is drawn as the shot, the other then ignored) and a blue one.
        var train = Write("train", [(Red, 4, 4, 12), (Red, 40, 40, 12), (Blue, 40, 4, 12)], [(Blue, 10, 30, 20)]);
        // Val: red only, blue only, both, and one without any square.
        var val = Write("val", [(Red, 8, 8, 20)], [(Blue, 30, 30, 16)], [(Red, 2, 40, 18), (Blue, 36, 6, 20)], []);
        var matcher = new ColourMatcher();
        var result = DetectionEvaluator.Run(matcher, "squares", train, val, new DetectionProtocol { Shots = 1, NegativesPerPositive = 1 });
        Assert.Equal(100, result.Ap50, 9);
        Assert.Equal(["red", "blue"], result.Categories.Select(c => c.Name));
        var red = result.Categories[0];
        Assert.Equal((1, 2, 2, 2, 2), (red.Shots, red.Positives, red.Negatives, red.GroundTruth, red.TruePositives));
        Assert.Equal([1L, 3L], red.Targets.Take(2));
        Assert.DoesNotContain(1L, red.Targets.Skip(2));
        Assert.Equal(8, result.Segmentations);
        // The red prompt: one of the two red squares of train image 1 is the example, the other one is ignored.
        var prompt = matcher.Prompts[0];
        Assert.Equal(("red", 1), (prompt.Class, prompt.Examples));
        Assert.InRange(prompt.MaskPixels, 100, 200);
        Assert.Equal(prompt.MaskPixels, prompt.IgnoredPixels);
        Assert.StartsWith("1/", red.Examples[0]);
        // Every target image, and a limit of one image per category.
        var all = DetectionEvaluator.Run(matcher, "squares", train, val, new DetectionProtocol { Shots = 2, NegativesPerPositive = null, MaxPositives = 1, MaxCategories = 1 });
        var only = Assert.Single(all.Categories);
        Assert.Equal((2, 1, 2), (only.Shots, only.Positives, only.Negatives));
        Assert.Equal(3, all.Segmentations);
        Assert.Equal(100, all.Ap50, 9);
        // Both red squares of train image 1 are shots: one example holding both, nothing ignored.
        Assert.Equal((1, 2 * prompt.MaskPixels, 0L), (matcher.Prompts[^1].Examples, matcher.Prompts[^1].MaskPixels, matcher.Prompts[^1].IgnoredPixels));
    }

    [Fact]
    public void TheProtocolIsCheckedAndCategoriesWithoutExamplesAreSkipped()
    {
        var train = Write("train", [(Red, 4, 4, 12)]);
        var val = Write("val", [(Red, 8, 8, 20)], [(Blue, 30, 30, 16)]);
        var result = DetectionEvaluator.Run(new ColourMatcher(), "squares", train, val, new DetectionProtocol());
        Assert.Equal("red", Assert.Single(result.Categories).Name);
        var skipped = Assert.Single(result.Skipped);
        Assert.Equal(("blue", "no non-crowd instance in the example split"), (skipped.Name, skipped.Reason));
        Assert.Equal(1, result.Categories[0].Shots); // 5 asked, 1 available
        Assert.Throws<ArgumentException>(() => DetectionEvaluator.Run(new ColourMatcher(), "squares", train, val, new DetectionProtocol { Shots = 0 }));
        Assert.Throws<ArgumentException>(() => DetectionEvaluator.Run(new ColourMatcher(), "squares", train, val, new DetectionProtocol { Threshold = 1.5 }));
    }
}
