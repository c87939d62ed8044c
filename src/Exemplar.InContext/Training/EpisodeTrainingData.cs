using Exemplar.Models;
using Exemplar.Torch;
using Exemplar.Training.Trainer;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Episodes;
using Exemplar.Vision.Transforms;

namespace Exemplar.InContext.Training;

/// <summary>
/// One-class training episodes from the train sides of several data sets, built on a pool of encoded views so that
/// the frozen encoder runs once per view, not once per episode (on a CPU the encoder is most of a step's cost).
/// The pool: <see cref="EpisodeSamplingOptions.Views"/> views, each an item of a group drawn at random (a data set,
/// one of its groups, one of its items) with its own random resized crop, flip and photometric distortion, two
/// views per draw — encoded once, with its mask of the group's class. An episode: a data set, a group, a target view,
/// and K example views of the same group — other items' views, or (<see cref="EpisodeSamplingOptions.SelfPairs"/>)
/// the other view of the target's own draw (SegGPT-style self-pairs: plentiful episodes from few images) — or, as a
/// negative episode (<see cref="EpisodeSamplingOptions.Negatives"/>), a target view from another data set or
/// (<see cref="EpisodeSamplingOptions.SameSourceNegatives"/>) a view of the same data set whose crop shows none of the
/// class. The pool and every batch are pure functions of the seed (and the batch's epoch and index), so a resumed run
/// draws exactly what the interrupted one would have.
/// </summary>
public sealed class EpisodeTrainingData : ITrainingData<EpisodeBatch>, IDisposable
{
    private const int CropAttempts = 4;
    private const int MinForegroundPixels = 16;
    private const int EncoderBatch = 8;
    private readonly IImageEncoder _encoder;
    private readonly bool _priors;
    private readonly int _inputSize;
    private readonly ulong _seed;
    private readonly PhotometricDistortion _photometric;
    private readonly List<View> _views = [];
    /// <summary>Per source, per group with views: the views' indices; a draw's two views are adjacent.</summary>
    private readonly List<List<int[]>> _groups = [];
    /// <summary>Per source (as <see cref="_groups"/>), per group with views: the group's label.</summary>
    private readonly List<List<long>> _groupLabels = [];
    /// <summary>Per source (as <see cref="_groups"/>): every view's index.</summary>
    private readonly List<int[]> _sourceViews = [];

    /// <summary>Builds and encodes the view pool (the slow part: one encoder pass per view).</summary>
    /// <param name="sources">The data sets.</param>
    /// <param name="encoder">The frozen encoder.</param>
    /// <param name="levels">The levels the segmenter encodes targets at (<see cref="Segmenter.EncodingLevels"/>).</param>
    /// <param name="inputSize">The segmenter's input size S.</param>
    /// <param name="options">How episodes are drawn.</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="progress">Called with (views encoded, views) as the pool fills.</param>
    /// <param name="priors">Whether batches carry <see cref="EpisodeBatch.TargetPriors"/> (for a propagation decoder).</param>
    public EpisodeTrainingData(IReadOnlyList<EpisodeSource> sources, IImageEncoder encoder, IReadOnlyList<int> levels, int inputSize,
        EpisodeSamplingOptions options, ulong seed, Action<int, int>? progress = null, bool priors = false)
    {
        _priors = priors;
        options.Validate();
        if (sources.Count == 0) throw new ArgumentException("at least one episode source is needed", nameof(sources));
        _encoder = encoder;
        _inputSize = inputSize;
        _seed = seed;
        Options = options;
        _photometric = new PhotometricDistortion(new PhotometricDistortionOptions { Probability = options.Photometric });
        BuildPool(sources, levels, progress);
    }

    /// <summary>How episodes are drawn.</summary>
    public EpisodeSamplingOptions Options { get; }

    /// <summary>Views in the pool.</summary>
    public int ViewCount => _views.Count;

    /// <inheritdoc/>
    public int BatchesPerEpoch => Options.BatchesPerEpoch;

    /// <inheritdoc/>
    public IEnumerable<EpisodeBatch> ReadEpoch(int epoch, int firstBatch, CancellationToken cancellation)
    {
        for (int b = firstBatch; b < BatchesPerEpoch; b++)
        {
            cancellation.ThrowIfCancellationRequested();
            yield return Draw(epoch, b);
        }
    }

    /// <summary>Batch <paramref name="batch"/> of epoch <paramref name="epoch"/> (the same every time it is asked for).</summary>
    public EpisodeBatch Draw(int epoch, int batch)
    {
        var random = new Random(unchecked((int)DataLoader.Mix(_seed, (ulong)epoch, (ulong)batch, 1)));
        int shots = random.Next(Options.MinShots, Options.MaxShots + 1);
        var examples = new List<View>();
        var targets = new List<View>();
        var negative = new List<bool>();
        for (int e = 0; e < Options.EpisodesPerBatch; e++)
        {
            int source = random.Next(_groups.Count);
            var groups = _groups[source];
            int g = random.Next(groups.Count);
            var group = groups[g];
            int target = group[random.Next(group.Length)];
            var partner = group.Where(v => _views[v].Draw == _views[target].Draw && v != target).ToList();
            var others = group.Where(v => _views[v].Item != _views[target].Item).ToList();
            bool self = partner.Count > 0 && (others.Count == 0 || random.NextDouble() < Options.SelfPairs);
            var pool = self ? partner : others.Count > 0 ? others : group.Where(v => v != target).DefaultIfEmpty(target).ToList();
            var shuffled = pool.OrderBy(_ => random.Next()).ToList();
            for (int k = 0; k < shots; k++) examples.Add(_views[shuffled[k % shuffled.Count]]);
            if (random.NextDouble() < Options.Negatives && NegativeTarget(source, _groupLabels[source][g], random) is { } absent)
            {
                targets.Add(_views[absent]);
                negative.Add(true);
            }
            else
            {
                targets.Add(_views[target]);
                negative.Add(false);
            }
        }
        using var scope = DisposeScope.Begin();
        var all = examples.Concat(targets).ToList();
        var maps = Enumerable.Range(0, all[0].Maps.Count).Select(l => Tensor.Stack([.. all.Select(v => v.Maps[l])]).MoveToOuterScope()).ToList();
        Tensor Stack(IEnumerable<Tensor> parts, bool gray = false)
        {
            var stacked = Tensor.Stack([.. parts]).To(DType.Float32);
            return (gray ? stacked / 255.0 : stacked).MoveToOuterScope();
        }
        Tensor? priors = null;
        if (_priors)
        {
            // Their own random stream: the episodes drawn above are the same with and without priors.
            var priorRandom = new Random(unchecked((int)DataLoader.Mix(_seed, (ulong)epoch, (ulong)batch, 2)));
            priors = Stack(targets.Select((v, i) => PriorMask(negative[i] ? examples[i * shots].Mask : v.Mask, Options, priorRandom)));
        }
        return new EpisodeBatch(maps,
            Stack(examples.Select(v => v.Mask)), Stack(examples.Select(v => v.Labelled)),
            Stack(targets.Select((v, i) => negative[i] ? Tensor.ZerosLike(v.Mask) : v.Mask)), Stack(targets.Select(v => v.Labelled)),
            Stack(targets.Select(v => v.Guide), gray: true), shots, priors);
    }

    /// <summary>
    /// A propagation decoder's prior from a mask [1, H, W] 0/1 (uint8): empty with probability
    /// <see cref="EpisodeSamplingOptions.PriorDropout"/>; otherwise dilated or eroded by up to
    /// <see cref="EpisodeSamplingOptions.PriorMorphology"/> · √area pixels and shifted by up to
    /// <see cref="EpisodeSamplingOptions.PriorShift"/> · √area pixels in each direction (zeros shifted in).
    /// </summary>
    internal static Tensor PriorMask(Tensor mask, EpisodeSamplingOptions options, Random random)
    {
        using var scope = DisposeScope.Begin();
        long h = mask.Size(1), w = mask.Size(2);
        var m = mask.To(DType.Float32).Unsqueeze(0);                                            // [1, 1, H, W]
        if (random.NextDouble() < options.PriorDropout) return Tensor.ZerosLike(mask).MoveToOuterScope();
        double side = Math.Sqrt(m.Sum().Item<float>());
        int radius = (int)Math.Round((random.NextDouble() * 2 - 1) * options.PriorMorphology * side);
        if (radius != 0)
        {
            // A square of half-side r is r 3x3 steps: 9r comparisons per pixel, where one (2r + 1)² pooling costs (2r + 1)².
            int r = (int)Math.Min(Math.Abs(radius), Math.Min(h, w) / 4);
            if (radius < 0) m = 1.0 - m;
            for (int step = 0; step < r; step++) m = Functional.MaxPool2d(m, 3, stride: 1, padding: 1);
            if (radius < 0) m = 1.0 - m;
        }
        long dy = Math.Clamp((long)Math.Round((random.NextDouble() * 2 - 1) * options.PriorShift * side), -h / 2, h / 2);
        long dx = Math.Clamp((long)Math.Round((random.NextDouble() * 2 - 1) * options.PriorShift * side), -w / 2, w / 2);
        if (dy != 0 || dx != 0)
        {
            // Pad the side it moves away from, then cut H x W back out from the side it moves towards.
            var padded = Functional.Pad(m, [Math.Max(dx, 0), Math.Max(-dx, 0), Math.Max(dy, 0), Math.Max(-dy, 0)]);
            m = padded.Narrow(2, Math.Max(-dy, 0), h).Narrow(3, Math.Max(-dx, 0), w);
        }
        return m.Squeeze(0).To(DType.UInt8).MoveToOuterScope();
    }

    /// <summary>
    /// A view without the class <paramref name="label"/> of source <paramref name="source"/>: of the same source (with
    /// probability <see cref="EpisodeSamplingOptions.SameSourceNegatives"/>, when a view's crop shows none of it) or of
    /// another (another class could still show up within it); null when there is neither.
    /// </summary>
    internal int? NegativeTarget(int source, long label, Random random)
    {
        if (random.NextDouble() < Options.SameSourceNegatives)
        {
            var without = _sourceViews[source].Where(v => !_views[v].Labels.Contains(label)).ToList();
            if (without.Count > 0) return without[random.Next(without.Count)];
        }
        if (_groups.Count < 2) return null;
        int other = (source + 1 + random.Next(_groups.Count - 1)) % _groups.Count;
        var otherGroup = _groups[other][random.Next(_groups[other].Count)];
        return otherGroup[random.Next(otherGroup.Length)];
    }

    /// <summary>The labels view <paramref name="view"/>'s crop shows.</summary>
    internal IReadOnlySet<long> LabelsOf(int view) => _views[view].Labels;

    /// <summary>The labels of source <paramref name="source"/>'s groups (the classes its episodes are about).</summary>
    internal IReadOnlyList<long> GroupLabels(int source) => _groupLabels[source];

    /// <summary>Frees the pool.</summary>
    public void Dispose()
    {
        foreach (var v in _views) v.Dispose();
        _views.Clear();
    }

    /// <summary>
    /// An encoded view: maps [C_l, h_l, w_l] float32; mask, labelled area [1, S, S] and gray guide [1, S, S] as uint8;
    /// the labels its crop shows.
    /// </summary>
    private sealed record View(int Draw, int Item, IReadOnlyList<Tensor> Maps, Tensor Mask, Tensor Labelled, Tensor Guide, IReadOnlySet<long> Labels) : IDisposable
    {
        public void Dispose()
        {
            foreach (var m in Maps) m.Dispose();
            Mask.Dispose();
            Labelled.Dispose();
            Guide.Dispose();
        }
    }

    private void BuildPool(IReadOnlyList<EpisodeSource> sources, IReadOnlyList<int> levels, Action<int, int>? progress)
    {
        var random = new Random(unchecked((int)DataLoader.Mix(_seed, 0x706f6f6c)));
        int draws = (Options.Views + 1) / 2;
        var byGroup = sources.Select(s => s.Groups.Select(_ => new List<int>()).ToList()).ToList();
        var pending = new List<(int Draw, int Item, PreparedImage Image, Tensor Mask, Tensor Labelled, IReadOnlySet<long> Labels)>();
        using var noGrad = LibTorch.NoGrad();
        void Encode()
        {
            if (pending.Count == 0) return;
            using var scope = DisposeScope.Begin();
            var maps = _encoder.ForwardIntermediates(Tensor.Stack([.. pending.Select(p => p.Image.Input)]), levels).Select(m => m.Features).ToList();
            foreach (var (p, i) in pending.Select((p, i) => (p, i)))
            {
                var guide = (p.Image.Guide * 255.0).Round().To(DType.UInt8);
                var view = new View(p.Draw, p.Item, [.. maps.Select(m => m.Select(0, i).Clone().DetachFromScope())],
                    p.Mask.To(DType.UInt8).DetachFromScope(), p.Labelled.To(DType.UInt8).DetachFromScope(), guide.DetachFromScope(), p.Labels);
                _views.Add(view);
                p.Image.Dispose();
                p.Mask.Dispose();
                p.Labelled.Dispose();
            }
            pending.Clear();
            progress?.Invoke(_views.Count, draws * 2);
        }
        for (int d = 0; d < draws; d++)
        {
            int s = random.Next(sources.Count);
            int g = random.Next(sources[s].Groups.Count);
            var group = sources[s].Groups[g];
            int item = group.Items[random.Next(group.Items.Count)];
            for (int copy = 0; copy < 2; copy++)
            {
                byGroup[s][g].Add(_views.Count + pending.Count);
                pending.Add(Prepare(group, d, item, random));
                if (pending.Count == EncoderBatch) Encode();
            }
        }
        Encode();
        for (int s = 0; s < sources.Count; s++)
        {
            var filled = Enumerable.Range(0, byGroup[s].Count).Where(g => byGroup[s][g].Count > 0).ToList();
            if (filled.Count == 0) continue;
            _groups.Add([.. filled.Select(g => byGroup[s][g].ToArray())]);
            _groupLabels.Add([.. filled.Select(g => sources[s].Groups[g].Label)]);
            _sourceViews.Add([.. filled.SelectMany(g => byGroup[s][g])]);
        }
    }

    /// <summary>One item of a group, augmented and prepared (outside any dispose scope), with the labels its crop shows.</summary>
    private (int, int, PreparedImage, Tensor, Tensor, IReadOnlySet<long>) Prepare(EpisodeGroup group, int draw, int item, Random random)
    {
        var dataset = group.Dataset;
        using var scope = DisposeScope.Begin();
        using var loaded = dataset.Load(item);
        using var augmented = Augment(loaded, group.Label, random);
        var labels = augmented.Mask.To(DType.Int64).ToArray<long>().Where(l => l != dataset.IgnoreLabel).ToHashSet();
        var prepared = PreparedImage.Create(augmented.Image, _encoder, _inputSize);
        var mask = prepared.ResizeMasks(augmented.Mask.Eq(group.Label).Unsqueeze(0));         // [1, S, S]
        var ignored = prepared.ResizeMasks(augmented.Mask.Eq(dataset.IgnoreLabel).Unsqueeze(0));
        var labelled = prepared.Valid * (1.0 - ignored);
        prepared.Input.DetachFromScope();
        prepared.Guide.DetachFromScope();
        prepared.Valid.DetachFromScope();
        return (draw, item, prepared, mask.DetachFromScope(), labelled.DetachFromScope(), labels);
    }

    /// <summary>Random resized crop (one that keeps at least a few pixels of <paramref name="label"/>), flip, photometric distortion.</summary>
    private SegmentationSample Augment(SegmentationSample sample, long label, Random random)
    {
        SegmentationSample current = sample.Alias();
        if (random.NextDouble() < Options.Crop)
        {
            var crop = new RandomResizedCropOptions(_inputSize, _inputSize) { MinScale = Options.MinCropScale };
            for (int attempt = 0; attempt < CropAttempts; attempt++)
            {
                var box = RandomResizedCrop.SampleBox(sample.Height, sample.Width, crop, random);
                var cropped = RandomResizedCrop.CropAndResize(sample, box, _inputSize, _inputSize, crop.ImageInterpolation, crop.Antialias);
                using var foreground = cropped.Mask.Eq(label).Sum();
                if (foreground.Item<long>() >= MinForegroundPixels)
                {
                    current.Dispose();
                    current = cropped;
                    break;
                }
                cropped.Dispose();
            }
        }
        if (random.NextDouble() < Options.Flip)
        {
            var flipped = RandomFlip.Flip(current, horizontal: true, vertical: false);
            current.Dispose();
            current = flipped;
        }
        var distorted = _photometric.Apply(current, random);
        current.Dispose();
        return distorted;
    }
}
