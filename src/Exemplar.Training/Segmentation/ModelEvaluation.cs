using System.Diagnostics;
using System.Text.Json.Nodes;
using Exemplar.Models.Segmentation;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Metrics;
using Exemplar.Vision.Transforms;

namespace Exemplar.Training.Segmentation;

/// <summary>Options of <see cref="ModelEvaluation.Run"/>.</summary>
public sealed record ModelEvaluationOptions
{
    /// <summary>Decoding threads.</summary>
    public int Workers { get; init; } = 2;
}

/// <summary>The scores of a supervised model on a data set.</summary>
/// <param name="Model">The zoo network's name.</param>
/// <param name="Dataset">The data set's name, e.g. "CamVid (val)".</param>
/// <param name="Images">Images scored.</param>
/// <param name="Classes">Class names by id (the model's).</param>
/// <param name="Scores">IoU, Dice, recall per class and their means, pixel accuracy.</param>
/// <param name="ConfusionMatrix">[truth, prediction] pixel counts, C × C.</param>
/// <param name="Seconds">Wall time of the evaluation.</param>
public sealed record ModelEvaluationResult(string Model, string Dataset, int Images, IReadOnlyList<string> Classes,
    SegmentationScores Scores, long[,] ConfusionMatrix, double Seconds)
{
    /// <summary>
    /// The result as JSON: model, dataset, images, mIoU, mDice, aAcc (pixel accuracy), mAcc (mean class recall),
    /// per_class [{id, name, iou, dice, acc, pixels}], classes, confusion_matrix (rows truth) and seconds. Scores are
    /// fractions; undefined ones (a class absent from truth and predictions) are null.
    /// </summary>
    public JsonObject ToJson()
    {
        var perClass = new JsonArray();
        for (int c = 0; c < Classes.Count; c++)
        {
            perClass.Add(new JsonObject
            {
                ["id"] = c,
                ["name"] = Classes[c],
                ["iou"] = Finite(Scores.IoU[c]),
                ["dice"] = Finite(Scores.Dice[c]),
                ["acc"] = Finite(Scores.Recall[c]),
                ["pixels"] = Scores.TargetArea[c],
            });
        }
        var matrix = new JsonArray();
        for (int i = 0; i < Classes.Count; i++)
        {
            matrix.Add(new JsonArray([.. Enumerable.Range(0, Classes.Count).Select(j => (JsonNode?)JsonValue.Create(ConfusionMatrix[i, j]))]));
        }
        return new JsonObject
        {
            ["model"] = Model,
            ["dataset"] = Dataset,
            ["images"] = Images,
            ["mIoU"] = Finite(Scores.MeanIoU),
            ["mDice"] = Finite(Scores.MeanDice),
            ["aAcc"] = Finite(Scores.PixelAccuracy),
            ["mAcc"] = Finite(Scores.MeanRecall),
            ["per_class"] = perClass,
            ["classes"] = new JsonArray([.. Classes.Select(n => (JsonNode?)JsonValue.Create(n))]),
            ["confusion_matrix"] = matrix,
            ["seconds"] = Seconds,
        };
    }

    /// <summary>A value for JSON, which has no NaN or infinity: null for those.</summary>
    internal static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}

/// <summary>Scores a model file's network on a labelled data set (whole images at their own size, as training validates).</summary>
public static class ModelEvaluation
{
    /// <summary>Evaluates <paramref name="network"/> (described by <paramref name="info"/>) on every item of <paramref name="dataset"/>.</summary>
    /// <exception cref="ArgumentException">The data set's classes are not the model's 0..C-1 (the message names both).</exception>
    public static ModelEvaluationResult Run(SegmentationNetwork network, SegmentationModelInfo info, ISegmentationDataset dataset,
        ModelEvaluationOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new ModelEvaluationOptions();
        CheckClasses(info, dataset);
        var clock = Stopwatch.StartNew();
        var loader = new DataLoader(dataset, new DataLoaderOptions
        {
            BatchSize = 1, // images differ in size
            Workers = options.Workers,
            Transform = new Normalize(new NormalizeOptions(info.Mean, info.Std)),
        });
        network.Eval();
        var validator = new SegmentationValidator(network, loader, info.Classes, dataset.IgnoreLabel);
        using (Exemplar.Torch.LibTorch.NoGrad()) validator.Validate(cancellation);
        return new ModelEvaluationResult(info.Model, dataset.Name, dataset.Count, info.Classes, validator.LastScores!, validator.LastConfusionMatrix!,
            clock.Elapsed.TotalSeconds);
    }

    private static void CheckClasses(SegmentationModelInfo info, ISegmentationDataset dataset)
    {
        var ids = dataset.Classes.Select(c => c.Id).ToArray();
        if (ids.Length != info.Classes.Count || !ids.SequenceEqual(Enumerable.Range(0, ids.Length).Select(i => (long)i)))
        {
            throw new ArgumentException(
                $"{dataset.Root}: {dataset.Name} has {ids.Length} classes (ids {string.Join(", ", ids.Take(20))}{(ids.Length > 20 ? ", …" : "")}) " +
                $"but the model predicts {info.Classes.Count} ({string.Join(", ", info.Classes.Take(20))}{(info.Classes.Count > 20 ? ", …" : "")})");
        }
    }
}
