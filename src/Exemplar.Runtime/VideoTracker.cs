namespace Exemplar.Runtime;

/// <summary>
/// How a <see cref="VideoTracker"/> propagates the first frame's masks: the bundle's propagation decoder (which reads
/// the previous frame's masks), a memory of recent predicted frames used as extra examples, and a spatial prior around
/// the previous frame's masks. Values are checked when a tracker starts
/// (<see cref="Validate"/>). <c>new TrackerOptions { PropagationDecoder = false, MemoryFrames = 0, SpatialPrior = false }</c> segments every frame
/// from the first one alone (the one-shot baseline).
/// </summary>
public sealed record TrackerOptions
{
    /// <summary>
    /// The most recent predicted frames kept as extra examples beside the given first frame (0 to 16). The default, 0,
    /// is what tuning on DAVIS-2016 train chose for the training-free decoder (recent frames as examples made it copy
    /// last frame's outline: J&amp;F 57.1 with 1 frame against 59.3 without), and it stays best with the trained decoder
    /// (DAVIS-2016 val J&amp;F 60.7 without memory, 52.8 with 2 frames, before its negative-episode fine-tuning).
    /// </summary>
    public int MemoryFrames { get; init; }

    /// <summary>
    /// A predicted frame joins the memory only when the mean probability over its foreground pixels reaches this
    /// (0 to 1; default 0.6): uncertain frames would teach the decoder their mistakes.
    /// </summary>
    public float MinConfidence { get; init; } = 0.6f;

    /// <summary>
    /// In a remembered frame, pixels whose best probability lies within this distance of the threshold are left
    /// unlabelled (neither object nor background evidence); foreground pixels count with their probability, so a
    /// mask is weighted by its confidence (0 to 0.5, excluded; default 0.15).
    /// </summary>
    public float UncertainBand { get; init; } = 0.15f;

    /// <summary>
    /// In a remembered frame, pixels within this many pixels (of the model's input) of the predicted boundary are
    /// left unlabelled (≥ 0; default 0): the decoder then takes the boundary from the given frame and the interior
    /// appearance from the memory, instead of copying last frame's outline.
    /// </summary>
    public int BoundaryBand { get; init; }

    /// <summary>
    /// Whether a remembered frame's foreground pixels count with their predicted probability (true, the default) or
    /// fully (false); either way the uncertain band is left out.
    /// </summary>
    public bool WeightByProbability { get; init; } = true;

    /// <summary>
    /// Whether frames are decoded by the bundle's propagation decoder (its <see cref="BundleInfo.TrackerRole"/> graph,
    /// which reads the previous frame's masks) when it has one (default true); false, or a bundle without one, decodes
    /// every frame with the image decoder.
    /// </summary>
    public bool PropagationDecoder { get; init; } = true;

    /// <summary>Whether probabilities far from the previous frame's mask of a class are scaled down (default true).</summary>
    public bool SpatialPrior { get; init; } = true;

    /// <summary>
    /// The prior's margin around the previous mask, as a fraction of the square root of its area (≥ 0; default 1,
    /// tuned on DAVIS-2016 train: 0.25 and 0.5 lost fast objects): the region where the object may be in the next
    /// frame grows with its size.
    /// </summary>
    public float PriorMargin { get; init; } = 1f;

    /// <summary>The smallest margin, in pixels of the model's input (≥ 0; default 16).</summary>
    public int PriorMinMargin { get; init; } = 16;

    /// <summary>The factor applied to probabilities outside the margin (0 to 1; default 0.25; 1 turns the prior off).</summary>
    public float OutsideWeight { get; init; } = 0.25f;

    /// <summary>Probability above which a pixel belongs to its best class (null: the bundle's default).</summary>
    public float? Threshold { get; init; }

    /// <summary>Connected objects smaller than this many pixels are not listed in <see cref="SegmentResult.Objects"/>.</summary>
    public int MinObjectArea { get; init; } = 16;

    /// <summary>The largest <see cref="MemoryFrames"/>.</summary>
    public const int MaxMemoryFrames = 16;

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value out of its range (the message names the option and its range).</exception>
    public void Validate()
    {
        static void Require(bool ok, string name, object value, string range)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, value, $"TrackerOptions.{name} is {value}; it must be {range}");
        }
        Require(MemoryFrames is >= 0 and <= MaxMemoryFrames, nameof(MemoryFrames), MemoryFrames, $"0 to {MaxMemoryFrames}");
        Require(MinConfidence is >= 0 and <= 1, nameof(MinConfidence), MinConfidence, "in [0, 1]");
        Require(UncertainBand is >= 0 and < 0.5f, nameof(UncertainBand), UncertainBand, "in [0, 0.5)");
        Require(PriorMargin >= 0 && float.IsFinite(PriorMargin), nameof(PriorMargin), PriorMargin, "finite and ≥ 0");
        Require(PriorMinMargin >= 0, nameof(PriorMinMargin), PriorMinMargin, "≥ 0");
        Require(BoundaryBand is >= 0 and <= 256, nameof(BoundaryBand), BoundaryBand, "0 to 256");
        Require(OutsideWeight is >= 0 and <= 1, nameof(OutsideWeight), OutsideWeight, "in [0, 1]");
        Require(Threshold is null or (> 0 and < 1), nameof(Threshold), Threshold ?? 0, "in (0, 1)");
        Require(MinObjectArea >= 0, nameof(MinObjectArea), MinObjectArea, "≥ 0");
    }
}

/// <summary>One tracked frame.</summary>
/// <param name="Index">The frame's position in the video (0 is the first frame after the given one).</param>
/// <param name="Result">Its segmentation, at the frame's size.</param>
/// <param name="Confidence">Mean probability over the pixels labelled with a class (0 when none are).</param>
/// <param name="Remembered">Whether it joined the memory (confident enough and not empty).</param>
/// <param name="MemorySize">How many predicted frames were in the memory when it was segmented.</param>
public sealed record TrackedFrame(int Index, SegmentResult Result, float Confidence, bool Remembered, int MemorySize);

/// <summary>
/// Propagates a first-frame example (an image with one mask per object or class) through the following frames of a
/// video, one <see cref="Track"/> call per frame in order. Where the bundle has a propagation decoder (its tracker
/// graph, <see cref="BundleInfo.HasTracker"/>), it decodes each frame with the previous frame's masks as one more input.
/// Each frame is segmented with the first frame plus the most
/// recent confident predictions as examples (<see cref="TrackerOptions.MemoryFrames"/>), their masks weighted by the
/// predicted probabilities; a spatial prior scales down probabilities far from the previous frame's masks. A frame is
/// encoded once: the same encoder output is decoded and, through the prompt graph, becomes a memory example.
/// Not thread-safe (frames depend on each other); the model may serve other callers meanwhile.
/// </summary>
/// <example><code>
/// using var model = ExemplarModel.Load();
/// using var tracker = new VideoTracker(model, new Example("00000.jpg", "00000.png"));
/// foreach (var file in frames) tracker.Track(file).Result.SaveMask(Path.ChangeExtension(file, ".mask.png"));
/// </code></example>
public sealed class VideoTracker : IDisposable
{
    private readonly ExemplarModel _model;
    private readonly Prompt _first;                 // the prompt every frame starts from (the first frame's encoding, or the caller's)
    private readonly bool _ownsFirst;
    private readonly LinkedList<IReadOnlyList<PromptLevel>> _memory = new();
    private readonly float _threshold;
    private readonly int _size;
    private readonly int _width, _height;
    private byte[] _previous;                       // [S, S] labels of the last frame (0 background, i + 1 class i)
    private int _index;
    private bool _disposed;

    /// <summary>Starts a track from <paramref name="first"/> (its image and masks, encoded now).</summary>
    /// <exception cref="ArgumentException">An unusable example (as <see cref="ExemplarModel.Encode(IReadOnlyList{Example})"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option out of its range.</exception>
    public VideoTracker(ExemplarModel model, Example first, TrackerOptions? options = null) : this(model, first, null, options)
    {
    }

    /// <summary>
    /// Starts a track from <paramref name="first"/> with <paramref name="prompt"/> (say, one tuned by <c>exemplar
    /// tune</c>, from the first frame or from other examples of the same objects) in place of the first frame's own
    /// encoding: the first frame's masks still give the starting masks, and remembered frames join the prompt's
    /// examples. The prompt stays the caller's (it must outlive the tracker).
    /// </summary>
    /// <exception cref="ArgumentException">An unusable example; a prompt from another bundle, or whose classes are not the first frame's.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option out of its range.</exception>
    public VideoTracker(ExemplarModel model, Example first, Prompt? prompt, TrackerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(first);
        Options = options ?? new TrackerOptions();
        Options.Validate();
        _model = model;
        _threshold = model.ThresholdOf(new SegmentOptions { Threshold = Options.Threshold });
        if (prompt is not null) model.CheckCompatible(prompt);
        var encoded = model.EncodeWithMasks([first], out var masks);
        if (prompt is not null)
        {
            using (encoded)
            {
                if (!prompt.Classes.SequenceEqual(encoded.Classes))
                {
                    throw new ArgumentException($"{prompt.Source ?? "the prompt"} has classes [{string.Join(", ", prompt.Classes)}], the first frame's masks [{string.Join(", ", encoded.Classes)}]: give the first frame the prompt's classes");
                }
            }
        }
        (_first, _ownsFirst) = prompt is null ? (encoded, true) : (prompt, false);
        var (firstMasks, geometry) = masks!.Value;
        _size = geometry.Size;
        (_width, _height) = (geometry.Width, geometry.Height);
        _previous = Labels(firstMasks, Classes.Count, 0.5f);
    }

    /// <summary>The options in use.</summary>
    public TrackerOptions Options { get; }

    /// <summary>Class (object) names: label i + 1 in the results is class i.</summary>
    public IReadOnlyList<string> Classes => _first.Classes;

    /// <summary>Whether frames are decoded by the bundle's propagation decoder (<see cref="TrackerOptions.PropagationDecoder"/> and a bundle that has one).</summary>
    public bool Propagates => Options.PropagationDecoder && _model.Info.HasTracker;

    /// <summary>Predicted frames in the memory now.</summary>
    public int MemorySize => _memory.Count;

    /// <summary>Segments the next frame (frames must come in order and have the first frame's size).</summary>
    /// <exception cref="ArgumentException">The frame's size differs from the first frame's.</exception>
    public TrackedFrame Track(ImageInput frame)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(frame);
        int classes = Classes.Count, s = _size, cells = s * s;
        using var encoded = _model.EncodeFrame(frame);
        if (encoded.Image.Width != _width || encoded.Image.Height != _height)
        {
            throw new ArgumentException($"{frame.Name}: the frame is {encoded.Image.Width}x{encoded.Image.Height}, the first frame {_width}x{_height}: every frame of a video has one size");
        }
        int memorySize = _memory.Count;
        float[] logits;
        float[]? prior = Propagates ? PriorMasks(_previous, classes) : null;
        if (memorySize == 0)
        {
            logits = _model.DecodeLogits(encoded, _first, prior);
        }
        else
        {
            using var prompt = WithMemory();
            logits = _model.DecodeLogits(encoded, prompt, prior);
        }
        var probabilities = new float[logits.Length];
        System.Numerics.Tensors.TensorPrimitives.Sigmoid(logits, probabilities);
        if (Options.SpatialPrior && Options.OutsideWeight < 1)
        {
            ApplyPrior(_previous, probabilities, classes);
            // Back to logits for the restoration graph: sigmoid(logit(p)) = p.
            for (int i = 0; i < logits.Length; i++)
            {
                float p = Math.Clamp(probabilities[i], 1e-6f, 1 - 1e-6f);
                logits[i] = MathF.Log(p / (1 - p));
            }
        }
        var result = _model.Restore(encoded, logits, Classes, _threshold, Options.MinObjectArea);
        var labels = Labels(probabilities, classes, _threshold, encoded.Geometry);
        float confidence = result.Areas.Sum() == 0 ? 0 : MeanForeground(probabilities, labels, cells);
        bool remembered = false;
        if (Options.MemoryFrames > 0 && confidence >= Options.MinConfidence && confidence > 0)
        {
            var (masks, labelled) = MemoryMasks(probabilities, labels, classes, encoded);
            _memory.AddLast(_model.EncodeMasks(encoded, masks, classes, labelled));
            while (_memory.Count > Options.MemoryFrames) _memory.RemoveFirst();
            remembered = true;
        }
        _previous = labels;
        return new TrackedFrame(_index++, result, confidence, remembered, memorySize);
    }

    /// <summary>The propagation decoder's prior [classes, S, S]: 1 where the previous frame's label is the class, 0 elsewhere.</summary>
    private static float[] PriorMasks(byte[] previous, int classes)
    {
        int cells = previous.Length;
        var prior = new float[classes * cells];
        for (int i = 0; i < cells; i++) if (previous[i] != 0) prior[(previous[i] - 1) * cells + i] = 1;
        return prior;
    }

    /// <summary>Frees the first frame's prompt (the model, and a prompt given to the constructor, stay the caller's).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_ownsFirst) _first.Dispose();
        _memory.Clear();
    }

    /// <summary>
    /// The starting prompt's levels followed by each remembered frame's, as one prompt of K + M examples, with the
    /// starting prompt's logit offsets (chosen for these objects; the remembered frames are more examples of them).
    /// </summary>
    internal Prompt WithMemory()
    {
        var levels = new List<PromptLevel>();
        var sources = new List<IReadOnlyList<PromptLevel>> { _first.Levels };
        sources.AddRange(_memory);
        for (int l = 0; l < _first.Levels.Count; l++)
        {
            var parts = sources.Select(s => s[l]).ToList();
            long examples = parts.Sum(p => p.Shape[0]);
            var shape = parts[0].Shape;
            levels.Add(new PromptLevel(Concat(parts.Select(p => p.Features)), Concat(parts.Select(p => p.Foreground)), Concat(parts.Select(p => p.Valid)),
                [examples, shape[1], shape[2], shape[3]]));
        }
        return new Prompt(_first.Fingerprint, _first.Classes, levels, logitOffsets: _first.LogitOffsets);
    }

    private static float[] Concat(IEnumerable<float[]> arrays)
    {
        var list = arrays.ToList();
        var result = new float[list.Sum(a => a.Length)];
        int offset = 0;
        foreach (var a in list)
        {
            a.CopyTo(result, offset);
            offset += a.Length;
        }
        return result;
    }

    /// <summary>[S, S] labels from [classes, S, S] probabilities: the best class where it exceeds the threshold, inside the image's area.</summary>
    private static byte[] Labels(float[] probabilities, int classes, float threshold, Geometry? geometry = null)
    {
        int cells = probabilities.Length / classes, s = (int)Math.Sqrt(cells);
        int rows = geometry?.ResizedHeight ?? s, cols = geometry?.ResizedWidth ?? s;
        var labels = new byte[cells];
        for (int y = 0; y < rows; y++)
        {
            for (int x = 0; x < cols; x++)
            {
                int i = y * s + x, best = -1;
                float bestP = threshold;
                for (int c = 0; c < classes; c++)
                {
                    float p = probabilities[c * cells + i];
                    if (p > bestP)
                    {
                        bestP = p;
                        best = c;
                    }
                }
                labels[i] = (byte)(best + 1);
            }
        }
        return labels;
    }

    private static float MeanForeground(float[] probabilities, byte[] labels, int cells)
    {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < cells; i++)
        {
            if (labels[i] == 0) continue;
            sum += probabilities[(labels[i] - 1) * cells + i];
            count++;
        }
        return count == 0 ? 0 : (float)(sum / count);
    }

    /// <summary>
    /// A remembered frame's prompt-graph inputs: masks [classes, S, S] = the probability (or 1) where the pixel is
    /// labelled with the class, 0 elsewhere; labelled [S, S] = the image's area less the pixels within the uncertain band.
    /// </summary>
    private (float[] Masks, float[] Labelled) MemoryMasks(float[] probabilities, byte[] labels, int classes, EncodedFrame encoded)
    {
        int cells = labels.Length;
        var masks = new float[probabilities.Length];
        var labelled = encoded.Prepared[2].GetTensorDataAsSpan<float>().ToArray();
        float low = _threshold - Options.UncertainBand, high = _threshold + Options.UncertainBand;
        for (int i = 0; i < cells; i++)
        {
            if (labelled[i] == 0) continue;
            float best = 0;
            for (int c = 0; c < classes; c++) best = Math.Max(best, probabilities[c * cells + i]);
            if (best > low && best < high) labelled[i] = 0;
            if (labels[i] != 0) masks[(labels[i] - 1) * cells + i] = Options.WeightByProbability ? probabilities[(labels[i] - 1) * cells + i] : 1;
        }
        if (Options.BoundaryBand > 0)
        {
            // The ring where both the foreground and the background, dilated by the band, reach.
            var foreground = new byte[cells];
            var background = new byte[cells];
            var valid = encoded.Prepared[2].GetTensorDataAsSpan<float>();
            for (int i = 0; i < cells; i++)
            {
                if (valid[i] == 0) continue;
                if (labels[i] != 0) foreground[i] = 1;
                else background[i] = 1;
            }
            Dilate(foreground, _size, Options.BoundaryBand);
            Dilate(background, _size, Options.BoundaryBand);
            for (int i = 0; i < cells; i++) if (foreground[i] != 0 && background[i] != 0) labelled[i] = 0;
        }
        return (masks, labelled);
    }

    /// <summary>
    /// Scales each class's probabilities by <see cref="TrackerOptions.OutsideWeight"/> outside its previous mask dilated
    /// by max(<see cref="TrackerOptions.PriorMinMargin"/>, <see cref="TrackerOptions.PriorMargin"/> · √area) pixels; a
    /// class absent from the previous frame is searched everywhere.
    /// </summary>
    private void ApplyPrior(byte[] previous, float[] probabilities, int classes)
    {
        int s = _size, cells = s * s;
        var inside = new byte[cells];
        for (int c = 0; c < classes; c++)
        {
            int area = 0;
            for (int i = 0; i < cells; i++)
            {
                bool on = previous[i] == c + 1;
                inside[i] = on ? (byte)1 : (byte)0;
                if (on) area++;
            }
            if (area == 0) continue;
            int margin = (int)Math.Ceiling(Math.Max(Options.PriorMinMargin, Options.PriorMargin * Math.Sqrt(area)));
            Dilate(inside, s, margin);
            var p = probabilities.AsSpan(c * cells, cells);
            for (int i = 0; i < cells; i++) if (inside[i] == 0) p[i] *= Options.OutsideWeight;
        }
    }

    /// <summary>Dilates a [S, S] 0/1 map in place by a square of half-side <paramref name="radius"/> (two passes of running sums).</summary>
    private static void Dilate(byte[] map, int s, int radius)
    {
        if (radius == 0) return;
        var sums = new int[s + 1];
        var line = new byte[s];
        for (int pass = 0; pass < 2; pass++)
        {
            for (int k = 0; k < s; k++)
            {
                // Pass 0 runs along rows, pass 1 along columns.
                for (int j = 0; j < s; j++) sums[j + 1] = sums[j] + map[pass == 0 ? k * s + j : j * s + k];
                for (int j = 0; j < s; j++) line[j] = sums[Math.Min(s, j + radius + 1)] - sums[Math.Max(0, j - radius)] > 0 ? (byte)1 : (byte)0;
                for (int j = 0; j < s; j++) map[pass == 0 ? k * s + j : j * s + k] = line[j];
            }
        }
    }
}
