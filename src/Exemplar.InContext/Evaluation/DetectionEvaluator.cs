using System.Diagnostics;
using System.Text.Json.Serialization;
using Exemplar.Torch;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.IO;
using Exemplar.Vision.Masks;
using Exemplar.Vision.Metrics;

namespace Exemplar.InContext.Evaluation;

/// <summary>How <see cref="DetectionEvaluator"/> draws examples and targets.</summary>
public sealed record DetectionProtocol
{
    /// <summary>K: annotated instances per category drawn from the example split (default 5). Fewer when it has fewer.</summary>
    public int Shots { get; init; } = 5;

    /// <summary>Seed of every draw (examples, limited positives, negatives); each category draws from its own stream.</summary>
    public uint Seed { get; init; }

    /// <summary>
    /// Images without the category segmented per image with it (default 1: as many negatives as positives); null: every
    /// target image without it (COCO's own protocol, every category on every image, and the slowest).
    /// </summary>
    public int? NegativesPerPositive { get; init; } = 1;

    /// <summary>At most this many target images with the category, drawn with the seed (null: all of them).</summary>
    public int? MaxPositives { get; init; }

    /// <summary>At most this many categories, spread evenly over the category list (null: every category with ground truth).</summary>
    public int? MaxCategories { get; init; }

    /// <summary>
    /// The probability above which a pixel belongs to the category when objects are taken (null, the default: the
    /// segmenter's own label map, i.e. its threshold). Lower finds more, and fainter, objects for the ranking to sort.
    /// </summary>
    public double? Threshold { get; init; }

    /// <summary>How objects are taken from each segmentation.</summary>
    public ObjectDetectionOptions Objects { get; init; } = new();

    /// <summary>Targets segmented per call of the segmenter (the prompt is encoded once per call; default 16).</summary>
    public int BatchSize { get; init; } = 16;

    internal void Validate()
    {
        if (Shots < 1) throw new ArgumentException($"detection needs at least 1 shot, got {Shots}");
        if (NegativesPerPositive is < 0) throw new ArgumentException($"negatives per positive must be 0 or more, got {NegativesPerPositive}");
        if (MaxPositives is < 1) throw new ArgumentException($"the limit of images per category must be at least 1, got {MaxPositives}");
        if (MaxCategories is < 1) throw new ArgumentException($"the limit of categories must be at least 1, got {MaxCategories}");
        if (Threshold is double t && !(t >= 0 && t < 1)) throw new ArgumentException($"the detection threshold must be in [0, 1), got {t}");
        if (BatchSize < 1) throw new ArgumentException($"the batch size must be at least 1, got {BatchSize}");
    }
}

/// <summary>One category of a detection evaluation.</summary>
/// <param name="CategoryId">COCO category id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Ap50">Box AP at IoU 0.5, percent.</param>
/// <param name="Shots">Example instances used (K, or fewer when the example split has fewer).</param>
/// <param name="Examples">The example instances as <c>image_id/annotation_id</c>.</param>
/// <param name="Positives">Target images with the category that were segmented.</param>
/// <param name="Negatives">Target images without it that were segmented.</param>
/// <param name="Targets">The image ids segmented for this category, positives first.</param>
/// <param name="GroundTruth">Non-crowd instances to find in those images.</param>
/// <param name="Detections">Objects detected (ranked after COCO's limit of 100 per image).</param>
/// <param name="TruePositives">Detections matched at IoU ≥ 0.5.</param>
public sealed record CategoryDetection(
    [property: JsonPropertyName("category_id")] int CategoryId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("ap50")] double Ap50,
    [property: JsonPropertyName("shots")] int Shots,
    [property: JsonPropertyName("examples")] IReadOnlyList<string> Examples,
    [property: JsonPropertyName("positives")] int Positives,
    [property: JsonPropertyName("negatives")] int Negatives,
    [property: JsonPropertyName("targets")] IReadOnlyList<long> Targets,
    [property: JsonPropertyName("ground_truth")] int GroundTruth,
    [property: JsonPropertyName("detections")] int Detections,
    [property: JsonPropertyName("true_positives")] int TruePositives);

/// <summary>A category that could not be evaluated, and why.</summary>
/// <param name="CategoryId">COCO category id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Reason">Why.</param>
public sealed record SkippedCategory(
    [property: JsonPropertyName("category_id")] int CategoryId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("reason")] string Reason);

/// <summary>The outcome of a few-shot detection evaluation, as <c>exemplar eval --detection --json</c> writes it.</summary>
/// <param name="Dataset">The data set.</param>
/// <param name="Segmenter">The segmenter's name.</param>
/// <param name="Shots">K asked for.</param>
/// <param name="Seed">The seed.</param>
/// <param name="NegativesPerPositive">Negatives per positive image, or null for every other image.</param>
/// <param name="Threshold">The probability threshold objects were taken at, or null for the segmenter's label map.</param>
/// <param name="MinObjectArea">Objects smaller than this (pixels) were dropped.</param>
/// <param name="Ap50">Box AP50 (percent): the mean over the evaluated categories.</param>
/// <param name="PerCategory">AP50 (percent) by category name.</param>
/// <param name="Categories">Every evaluated category in detail.</param>
/// <param name="Skipped">Categories with ground truth in the targets that could not be evaluated.</param>
/// <param name="Segmentations">Target segmentations run (a target image once per category it was drawn for).</param>
/// <param name="Seconds">Wall-clock seconds, image decoding included.</param>
public sealed record DetectionEvaluationResult(
    [property: JsonPropertyName("dataset")] string Dataset,
    [property: JsonPropertyName("segmenter")] string Segmenter,
    [property: JsonPropertyName("shots")] int Shots,
    [property: JsonPropertyName("seed")] uint Seed,
    [property: JsonPropertyName("negatives_per_positive")] int? NegativesPerPositive,
    [property: JsonPropertyName("threshold")] double? Threshold,
    [property: JsonPropertyName("min_object_area")] int MinObjectArea,
    [property: JsonPropertyName("ap50")] double Ap50,
    [property: JsonPropertyName("per_category")] IReadOnlyDictionary<string, double> PerCategory,
    [property: JsonPropertyName("categories")] IReadOnlyList<CategoryDetection> Categories,
    [property: JsonPropertyName("skipped")] IReadOnlyList<SkippedCategory> Skipped,
    [property: JsonPropertyName("segmentations")] int Segmentations,
    [property: JsonPropertyName("seconds")] double Seconds);

/// <summary>
/// Few-shot object detection from segmentation by example, scored with COCO's box AP50 (<see cref="BoxAveragePrecision"/>).
/// For each category with ground truth in the target split: K non-crowd instances of it are drawn (seeded) from the
/// example split; each example image's mask is the union of its drawn instances, and its other instances of the category
/// (crowd regions included) are ignored — neither the category nor background — since they were not given. The targets
/// are the target images with the category (or a seeded sample of <see cref="DetectionProtocol.MaxPositives"/>) plus
/// <see cref="DetectionProtocol.NegativesPerPositive"/> images without it per positive, drawn with the seed. Each target
/// is segmented with the one-class prompt, its objects taken by <see cref="ObjectDetection"/> (a connected region is a
/// detection, its score the class's mean probability), and AP50 is computed over every category's targets at once, a
/// category's detections on the images segmented for it. Images not drawn for a category contribute no detections of it,
/// so with sampled negatives the false positives are those of a sample (with <c>NegativesPerPositive = null</c> it is
/// COCO's protocol exactly); the ground truth of a category is all in its positives, complete unless they are limited.
/// </summary>
public static class DetectionEvaluator
{
    /// <summary>Runs the protocol: examples from <paramref name="examples"/>, targets from <paramref name="targets"/>.</summary>
    /// <param name="segmenter">What segments.</param>
    /// <param name="datasetName">The data set's name for the report.</param>
    /// <param name="examples">The split the shots come from (COCO-mini: train2017).</param>
    /// <param name="targets">The split that is scored (COCO-mini: val2017).</param>
    /// <param name="protocol">Shots, seed, negatives, limits.</param>
    /// <param name="progress">Called with (segmentations done, segmentations in all) after each batch.</param>
    /// <exception cref="ArgumentException">Invalid protocol values.</exception>
    /// <exception cref="InvalidOperationException">No category can be evaluated (the message lists why for each).</exception>
    public static DetectionEvaluationResult Run(IExampleSegmenter segmenter, string datasetName, CocoInstancesDataset examples, CocoInstancesDataset targets,
        DetectionProtocol protocol, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(segmenter);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(protocol);
        protocol.Validate();
        var clock = Stopwatch.StartNew();
        var plans = new List<Plan>();
        var skipped = new List<SkippedCategory>();
        var exampleCategories = examples.Categories.ToDictionary(c => c.CategoryId);
        foreach (var category in targets.Categories)
        {
            var positives = Enumerable.Range(0, targets.Count).Where(i => targets.InstancesOf(i).Any(a => a.CategoryId == category.CategoryId)).ToList();
            if (!positives.Any(i => targets.InstancesOf(i).Any(a => a.CategoryId == category.CategoryId && !a.IsCrowd))) continue;
            var candidates = exampleCategories.ContainsKey(category.CategoryId)
                ? Enumerable.Range(0, examples.Count).SelectMany(i => examples.InstancesOf(i).Where(a => a.CategoryId == category.CategoryId && !a.IsCrowd).Select(a => (Index: i, Instance: a))).ToList()
                : [];
            if (candidates.Count == 0)
            {
                skipped.Add(new SkippedCategory(category.CategoryId, category.Name, "no non-crowd instance in the example split"));
                continue;
            }
            plans.Add(new Plan(category, positives, candidates));
        }
        if (protocol.MaxCategories is int n && n < plans.Count) plans = Enumerable.Range(0, n).Select(i => plans[(int)((long)i * plans.Count / n)]).ToList();
        if (plans.Count == 0) throw new InvalidOperationException($"{datasetName}: no category can be evaluated ({string.Join("; ", skipped.Select(s => $"{s.Name}: {s.Reason}"))})");

        foreach (var plan in plans) plan.Draw(targets, protocol);
        int total = plans.Sum(p => p.Targets.Count), done = 0;
        var groundTruth = new List<GroundTruthBox>();
        var detections = new List<DetectionBox>();
        var details = new List<(Plan Plan, IReadOnlyList<string> Examples)>();
        foreach (var plan in plans)
        {
            using var prompts = Prompt(examples, plan, protocol, out var used);
            if (used.Count == 0)
            {
                skipped.Add(new SkippedCategory(plan.Category.CategoryId, plan.Category.Name, "every instance in the example split has an empty mask"));
                done += plan.Targets.Count;
                continue;
            }
            details.Add((plan, used));
            foreach (int index in plan.Targets) groundTruth.AddRange(GroundTruthOf(targets, index, plan.Category.CategoryId));
            foreach (var batch in plan.Targets.Chunk(protocol.BatchSize))
            {
                using var scope = DisposeScope.Begin();
                var images = batch.Select(i => ImageReader.ReadTensor(targets.Items[i].ImagePath, SegmentationDatasetBase.ImageOptions)).ToList();
                var results = segmenter.SegmentEpisode(prompts, images);
                try
                {
                    for (int b = 0; b < batch.Length; b++)
                    {
                        long imageId = targets.ImageIdOf(batch[b]);
                        using var labelled = protocol.Threshold is double t ? SegmentationResult.FromScores(results[b].Scores, t) : null;
                        foreach (var o in ObjectDetection.Find(labelled ?? results[b], protocol.Objects).Where(o => o.ClassIndex == 0))
                        {
                            detections.Add(new DetectionBox(imageId, plan.Category.CategoryId, BoundingBox.FromPixels(o.Box), o.Score));
                        }
                    }
                }
                finally
                {
                    foreach (var r in results) r.Dispose();
                }
                done += batch.Length;
                progress?.Invoke(done, total);
            }
        }
        if (details.Count == 0) throw new InvalidOperationException($"{datasetName}: no category can be evaluated ({string.Join("; ", skipped.Select(s => $"{s.Name}: {s.Reason}"))})");

        var scores = BoxAveragePrecision.Evaluate(groundTruth, detections, 0.5).PerCategory.ToDictionary(c => c.CategoryId);
        var categories = details.Select(d =>
        {
            var s = scores[d.Plan.Category.CategoryId];
            return new CategoryDetection(d.Plan.Category.CategoryId, d.Plan.Category.Name, s.AveragePrecision * 100, d.Examples.Count, d.Examples,
                d.Plan.PositiveCount, d.Plan.Targets.Count - d.Plan.PositiveCount, [.. d.Plan.Targets.Select(targets.ImageIdOf)], s.GroundTruth, s.Detections, s.TruePositives);
        }).ToList();
        return new DetectionEvaluationResult(datasetName, segmenter.Name, protocol.Shots, protocol.Seed, protocol.NegativesPerPositive, protocol.Threshold, protocol.Objects.MinArea,
            categories.Average(c => c.Ap50), categories.ToDictionary(c => c.Name, c => c.Ap50), categories, skipped, total, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The ground-truth boxes of one category in one target image (from the <c>"bbox"</c> field, else the box of the instance's mask).</summary>
    public static IEnumerable<GroundTruthBox> GroundTruthOf(CocoInstancesDataset dataset, int index, int categoryId)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        long imageId = dataset.ImageIdOf(index);
        foreach (var a in dataset.InstancesOf(index).Where(a => a.CategoryId == categoryId))
        {
            var box = a.Box ?? BoxOfMask(dataset, index, a.AnnotationId);
            if (box is { } b) yield return new GroundTruthBox(imageId, categoryId, b, a.IsCrowd);
        }
    }

    private static BoundingBox? BoxOfMask(CocoInstancesDataset dataset, int index, long annotationId)
    {
        using var mask = dataset.LoadInstanceMask(index, annotationId);
        var parts = ConnectedComponents.Find(mask);
        if (parts.Count == 0) return null;
        int x0 = parts.Min(p => p.Box.X), y0 = parts.Min(p => p.Box.Y);
        int x1 = parts.Max(p => p.Box.X + p.Box.Width), y1 = parts.Max(p => p.Box.Y + p.Box.Height);
        return new BoundingBox(x0, y0, x1 - x0, y1 - y0);
    }

    /// <summary>
    /// The category's prompt: its drawn instances (in the seeded order, skipping any whose mask is empty, until K) grouped
    /// by image, each image's other instances of the category ignored.
    /// </summary>
    private static PromptSet Prompt(CocoInstancesDataset examples, Plan plan, DetectionProtocol protocol, out List<string> used)
    {
        var chosen = new List<(int Index, CocoInstance Instance)>();
        used = [];
        var prompts = new PromptSet([plan.Category.Name]);
        try
        {
            foreach (var candidate in plan.ShotOrder.Select(i => plan.Candidates[i]))
            {
                if (chosen.Count == protocol.Shots) break;
                using var mask = examples.LoadInstanceMask(candidate.Index, candidate.Instance.AnnotationId);
                using var any = mask.Ne(0).Any();
                if (any.Item<bool>()) chosen.Add(candidate);
            }
            foreach (var group in chosen.GroupBy(c => c.Index))
            {
                using var scope = DisposeScope.Begin();
                int index = group.Key;
                var image = ImageReader.ReadTensor(examples.Items[index].ImagePath, SegmentationDatasetBase.ImageOptions);
                var ids = group.Select(c => c.Instance.AnnotationId).ToHashSet();
                Tensor? mask = null, others = null;
                foreach (var a in examples.InstancesOf(index).Where(a => a.CategoryId == plan.Category.CategoryId))
                {
                    var m = examples.LoadInstanceMask(index, a.AnnotationId).Ne(0);
                    if (ids.Contains(a.AnnotationId)) mask = mask is null ? m : mask.LogicalOr(m);
                    else others = others is null ? m : others.LogicalOr(m);
                }
                var ignore = others is null ? null : others.LogicalAnd(mask!.LogicalNot());
                prompts.Add(image, mask!.To(DType.UInt8).Unsqueeze(0), $"{examples.Items[index].Id} ({string.Join(", ", ids)})", ignore);
                used.AddRange(group.Select(c => $"{examples.ImageIdOf(index)}/{c.Instance.AnnotationId}"));
            }
            return prompts;
        }
        catch
        {
            prompts.Dispose();
            throw;
        }
    }

    private sealed class Plan(CocoCategory category, List<int> positives, List<(int Index, CocoInstance Instance)> candidates)
    {
        public CocoCategory Category { get; } = category;

        public List<(int Index, CocoInstance Instance)> Candidates { get; } = candidates;

        public int[] ShotOrder { get; private set; } = [];

        public List<int> Targets { get; } = [];

        public int PositiveCount { get; private set; }

        /// <summary>The seeded draws of this category: the order its example instances are tried in, its positives and negatives.</summary>
        public void Draw(CocoInstancesDataset targets, DetectionProtocol protocol)
        {
            var random = new NumpyRandomState(unchecked(protocol.Seed * 1_000_003u + (uint)Category.CategoryId));
            ShotOrder = random.Permutation(Candidates.Count);
            var chosen = protocol.MaxPositives is int max && max < positives.Count
                ? [.. random.Permutation(positives.Count).Take(max).Order().Select(i => positives[i])]
                : positives;
            PositiveCount = chosen.Count;
            var with = positives.ToHashSet();
            var negatives = Enumerable.Range(0, targets.Count).Where(i => !with.Contains(i)).ToList();
            int count = protocol.NegativesPerPositive is int r ? Math.Min(negatives.Count, r * chosen.Count) : negatives.Count;
            Targets.AddRange(chosen);
            Targets.AddRange(random.Permutation(negatives.Count).Take(count).Order().Select(i => negatives[i]));
        }
    }
}
