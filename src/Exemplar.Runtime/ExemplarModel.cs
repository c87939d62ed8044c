using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Exemplar.Runtime;

/// <summary>
/// A segmentation-by-example model on ONNX Runtime: load a bundle once, <see cref="Encode"/> examples into a
/// <see cref="Prompt"/>, then <see cref="Segment(Prompt, ImageInput, SegmentOptions?)"/> any number of images. The
/// graphs run in sessions built once; every method is safe to call from several threads at once.
/// </summary>
/// <example><code>
/// using var model = ExemplarModel.Load();
/// using var prompt = model.Encode([new Example("shelf1.jpg", "shelf1_mask.png")]);
/// var result = model.Segment(prompt, "photo.jpg");
/// result.SaveOverlay("overlay.png");
/// </code></example>
public sealed class ExemplarModel : IDisposable
{
    /// <summary>The default bundle's file name (under <c>models/</c>).</summary>
    public const string DefaultBundleName = "mobilenetv2-int8.exemplar";

    /// <summary>The most classes a prompt may hold (label maps are bytes, 0 being the background).</summary>
    public const int MaxClasses = 254;

    private readonly Dictionary<string, InferenceSession> _sessions;
    private readonly BundleInfo _info;
    /// <summary>The decoder graphs (decoder, tracker) that take the encoder's fine map.</summary>
    private readonly HashSet<string> _takesFine;

    static ExemplarModel() => OrtEnv.Instance().DisableTelemetryEvents();

    private ExemplarModel(string path, BundleInfo info, Dictionary<string, InferenceSession> sessions)
    {
        Path = path;
        _info = info;
        _sessions = sessions;
        _takesFine = [.. sessions.Where(s => s.Value.InputNames.Contains(BundleInfo.FineInput)).Select(s => s.Key)];
    }

    /// <summary>The bundle file.</summary>
    public string Path { get; }

    /// <summary>What the bundle says about itself.</summary>
    public BundleInfo Info => _info;

    /// <summary>
    /// Loads a bundle: <paramref name="path"/>, or the default one (<c>models/mobilenetv2-int8.exemplar</c> beside the
    /// application, then in a <c>models/</c> folder of the working directory or one of its parents).
    /// </summary>
    /// <exception cref="FileNotFoundException">No bundle there (the message says where it looked).</exception>
    /// <exception cref="InvalidDataException">The file is not a usable bundle.</exception>
    /// <exception cref="NotSupportedException">The execution provider's native libraries are not installed.</exception>
    public static ExemplarModel Load(string? path = null, RuntimeOptions? options = null)
    {
        path ??= FindDefault();
        options ??= new RuntimeOptions();
        var (info, graphs) = BundleInfo.Read(path);
        var sessions = new Dictionary<string, InferenceSession>();
        try
        {
            foreach (var (role, bytes) in graphs)
            {
                using var so = SessionOptionsFor(options);
                try
                {
                    sessions[role] = new InferenceSession(bytes, so);
                }
                catch (OnnxRuntimeException e)
                {
                    throw new InvalidDataException($"{path}: the '{role}' graph does not load in ONNX Runtime ({e.Message})", e);
                }
            }
            CheckGraphs(path, info, sessions);
            return new ExemplarModel(path, info, sessions);
        }
        catch
        {
            foreach (var s in sessions.Values) s.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Encodes examples (one or more images with masks, one or more classes) into a prompt. Each example's mask is
    /// evidence for its class and background for the others.
    /// </summary>
    /// <exception cref="ArgumentException">No examples, a mask of another size than its image, or a class with an empty mask everywhere (naming the files).</exception>
    public Prompt Encode(IReadOnlyList<Example> examples) => EncodeWithMasks(examples, out _);

    /// <summary>
    /// <see cref="Encode(IReadOnlyList{Example})"/>, also giving the first example's masks as the graphs saw them:
    /// [classes, S, S] (1 inside, 0 outside and on the padding), with its geometry.
    /// </summary>
    internal Prompt EncodeWithMasks(IReadOnlyList<Example> examples, out (float[] Masks, Geometry Geometry)? first)
    {
        first = null;
        RequireByExample();
        if (examples.Count == 0) throw new ArgumentException("at least one example is needed", nameof(examples));
        var classes = examples.SelectMany(e => e.Masks.Select(m => m.Class)).Distinct().ToList();
        if (classes.Count == 0) throw new ArgumentException("the examples have no masks", nameof(examples));
        if (classes.Count > MaxClasses) throw new ArgumentException($"{classes.Count} classes: a prompt holds at most {MaxClasses} (labels are bytes, 0 is the background)", nameof(examples));
        int s = _info.InputSize, levels = _info.Levels.Length;
        var perLevel = Enumerable.Range(0, levels).Select(_ => (Features: new List<float[]>(), Foreground: new List<float[]>(), Valid: new List<float[]>(), Shape: Array.Empty<long>())).ToArray();
        var present = new bool[classes.Count];
        foreach (var example in examples)
        {
            using var frame = EncodeFrame(example.Image);
            var image = frame.Image;
            var geometry = frame.Geometry;
            var masks = new float[classes.Count * s * s];
            foreach (var (name, input) in example.Masks)
            {
                int c = classes.IndexOf(name);
                present[c] |= geometry.ResizeMask(Decode(input, image, example.Image.Name), masks.AsSpan(c * s * s, s * s));
            }
            // Labelled = valid area, less the ignored pixels when there is an ignore map.
            var labelled = frame.Prepared[2].GetTensorDataAsSpan<float>().ToArray();
            if (example.Ignore is { } ignoreInput) RemoveIgnored(labelled, Decode(ignoreInput, image, example.Image.Name), geometry);
            var encoded = EncodeMasks(frame, masks, classes.Count, labelled);
            first ??= (masks, geometry);
            for (int l = 0; l < levels; l++)
            {
                perLevel[l].Features.Add(encoded[l].Features);
                perLevel[l].Foreground.Add(encoded[l].Foreground);
                perLevel[l].Valid.Add(encoded[l].Valid);
                perLevel[l].Shape = encoded[l].Shape;
            }
        }
        for (int c = 0; c < classes.Count; c++)
        {
            if (!present[c])
            {
                var files = examples.SelectMany(e => e.Masks.Where(m => m.Class == classes[c]).Select(m => m.Mask.Name));
                throw new ArgumentException($"class '{classes[c]}' has an empty mask (every pixel black) in every example ({string.Join(", ", files)})");
            }
        }
        var result = new List<PromptLevel>();
        foreach (var level in perLevel)
        {
            long[] shape = [examples.Count, level.Shape[1], level.Shape[2], level.Shape[3]];
            result.Add(new PromptLevel([.. level.Features.SelectMany(f => f)], [.. level.Foreground.SelectMany(f => f)], [.. level.Valid.SelectMany(f => f)], shape));
        }
        return new Prompt(_info.Fingerprint, classes, result);
    }

    /// <summary>
    /// The graphs' inputs and outputs must be the ones the manifest's levels call for; with a fine level, the encoder
    /// also gives <c>fine</c>, which the decoder and tracker graphs each take or not (whether their decoder refines).
    /// </summary>
    private static void CheckGraphs(string path, BundleInfo info, Dictionary<string, InferenceSession> sessions)
    {
        int levels = info.Levels.Length;
        string[] levelNames = [.. Enumerable.Range(0, levels).Select(l => $"level{l}")];
        string[] promptNames = [.. Enumerable.Range(0, levels).SelectMany(l => new[] { $"features{l}", $"foreground{l}", $"valid{l}" })];
        string[] fine = info.FineLevel is null ? [] : [BundleInfo.FineInput];
        (string Role, string[] Inputs, string[] Outputs) image = ("image", ["pixels", "scales", "resized", "pads"], ["image", "guide", "valid"]);
        // A decoder graph refines when it takes the fine map.
        string[] Maps(string role) => sessions.TryGetValue(role, out var session) && fine.Length > 0 && session.InputNames.Contains(BundleInfo.FineInput) ? [.. levelNames, .. fine] : levelNames;
        var expected = info.IsSupervised
            ? new (string Role, string[] Inputs, string[] Outputs)[]
            {
                image,
                ("network", ["image"], ["logits"]),
                ("restore", ["logits", "resized", "size"], ["scores", "labels"]),
            }
            : [
                image,
                ("encoder", ["image"], [.. levelNames, .. fine]),
                ("prompt", [.. levelNames, "masks", "labelled"], promptNames),
                ("decoder", [.. Maps("decoder"), "guide", .. promptNames], ["logits"]),
                ("restore", ["logits", "resized", "size", "threshold"], ["scores", "labels"]),
            ];
        if (info.HasTracker) expected = [.. expected, (BundleInfo.TrackerRole, [.. Maps(BundleInfo.TrackerRole), "guide", .. promptNames, "prior"], ["logits"])];
        foreach (var (role, inputs, outputs) in expected)
        {
            var session = sessions[role];
            if (!session.InputNames.SequenceEqual(inputs) || !session.OutputNames.SequenceEqual(outputs))
            {
                throw new InvalidDataException(
                    $"{path}: the '{role}' graph takes ({string.Join(", ", session.InputNames)}) and gives ({string.Join(", ", session.OutputNames)}), " +
                    $"but {(info.IsSupervised ? "a supervised bundle" : $"a bundle with {levels} level(s){(fine.Length > 0 ? " and a fine level" : "")}")} needs ({string.Join(", ", inputs)}) → ({string.Join(", ", outputs)})");
            }
        }
    }

    /// <summary>labelled ← labelled × (1 − ignore), the ignore map resized as masks are.</summary>
    private static void RemoveIgnored(float[] labelled, DecodedImage ignoreMap, Geometry geometry)
    {
        var ignore = new float[geometry.Size * geometry.Size];
        geometry.ResizeMask(ignoreMap, ignore);
        System.Numerics.Tensors.TensorPrimitives.Subtract(1f, ignore, ignore);
        System.Numerics.Tensors.TensorPrimitives.Multiply(labelled, ignore, labelled);
    }

    /// <summary>Decodes a mask (or ignore map) and checks it has the image's size.</summary>
    private static DecodedImage Decode(ImageInput mask, DecodedImage image, string imageName)
    {
        var decoded = mask.Decode();
        if (decoded.Width != image.Width || decoded.Height != image.Height)
        {
            throw new ArgumentException($"{mask.Name}: the mask is {decoded.Width}x{decoded.Height} but the image {imageName} is {image.Width}x{image.Height}");
        }
        return decoded;
    }

    /// <summary>Segments one image with <paramref name="prompt"/>; the result is at the image's own size.</summary>
    /// <exception cref="ArgumentException">The prompt was encoded by another bundle's encoder.</exception>
    public SegmentResult Segment(Prompt prompt, ImageInput image, SegmentOptions? options = null)
    {
        RequireByExample();
        options ??= new SegmentOptions();
        float threshold = ThresholdOf(options);
        CheckCompatible(prompt);
        using var frame = EncodeFrame(image);
        var logits = DecodeLogits(frame, prompt, options);
        return Restore(frame, logits, prompt.Classes, threshold, options.MinObjectArea);
    }

    /// <summary>
    /// The decoder's logits [classes, S, S] for an encoded frame; with <see cref="SegmentOptions.FlipTest"/>, averaged
    /// with the mirror image's logits, mirrored back.
    /// </summary>
    private float[] DecodeLogits(EncodedFrame frame, Prompt prompt, SegmentOptions options)
    {
        var logits = DecodeLogits(frame, prompt);
        if (!options.FlipTest) return logits;
        float[] back;
        using (var mirrored = EncodeFrame(frame.Name, Mirror(frame.Image))) back = DecodeLogits(mirrored, prompt);
        var geometry = frame.Geometry;
        int s = geometry.Size, cells = s * s;
        // The padding is on the right of both frames: only the resized image's columns are mirrored.
        for (int c = 0; c < prompt.Classes.Count; c++)
        {
            for (int y = 0; y < geometry.ResizedHeight; y++) back.AsSpan(c * cells + y * s, geometry.ResizedWidth).Reverse();
        }
        TensorPrimitives.Add(logits, back, logits);
        TensorPrimitives.Multiply(logits, 0.5f, logits);
        return logits;
    }

    /// <summary>The image mirrored left to right.</summary>
    private static DecodedImage Mirror(DecodedImage image)
    {
        var rgba = new byte[image.Rgba.Length];
        var source = MemoryMarshal.Cast<byte, uint>(image.Rgba);
        var target = MemoryMarshal.Cast<byte, uint>(rgba.AsSpan());
        for (int y = 0; y < image.Height; y++)
        {
            var row = target.Slice(y * image.Width, image.Width);
            source.Slice(y * image.Width, image.Width).CopyTo(row);
            row.Reverse();
        }
        return image with { Rgba = rgba };
    }

    /// <summary>The threshold of <paramref name="options"/> (or the bundle's), checked to lie in (0, 1).</summary>
    internal float ThresholdOf(SegmentOptions options)
    {
        float threshold = options.Threshold ?? (float)_info.Threshold;
        if (!(threshold > 0 && threshold < 1)) throw new ArgumentException($"the threshold must be in (0, 1), got {threshold}");
        return threshold;
    }

    /// <summary>
    /// Decodes and prepares one image and runs the encoder once: what both the decoder (segmenting it) and the prompt
    /// graph (making it an example) take, so a video frame is encoded a single time.
    /// </summary>
    internal EncodedFrame EncodeFrame(ImageInput image) => EncodeFrame(image.Name, image.Decode());

    private EncodedFrame EncodeFrame(string name, DecodedImage decoded)
    {
        RequireByExample();
        var geometry = Geometry.For(decoded.Height, decoded.Width, _info.InputSize);
        var prepared = Prepare(decoded, geometry);
        try
        {
            var maps = Run("encoder", [("image", prepared[0])]);
            return new EncodedFrame(name, decoded, geometry, prepared, maps);
        }
        catch
        {
            prepared.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The decoder's logits [classes, S, S] (row-major) for an encoded frame against a prompt's levels, plus the
    /// prompt's <see cref="Prompt.LogitOffsets"/>; with
    /// <paramref name="prior"/> [classes, S, S] (where each class was in the previous frame, in [0, 1]), the tracker
    /// graph's (<see cref="BundleInfo.HasTracker"/>).
    /// </summary>
    internal float[] DecodeLogits(EncodedFrame frame, Prompt prompt, float[]? prior = null)
    {
        if (prior is not null && !_info.HasTracker) throw new InvalidOperationException($"{Path} has no tracker graph to decode with a prior");
        string role = prior is null ? "decoder" : BundleInfo.TrackerRole;
        var inputs = new List<(string, OrtValue)>();
        for (int l = 0; l < _info.Levels.Length; l++) inputs.Add(($"level{l}", frame.Maps[l]));
        // The encoder's fine map is its last output (CheckGraphs made sure of the names).
        if (_takesFine.Contains(role)) inputs.Add((BundleInfo.FineInput, frame.Maps[_info.Levels.Length]));
        inputs.Add(("guide", frame.Prepared[1]));
        var promptValues = prompt.Values;
        for (int l = 0; l < _info.Levels.Length; l++)
        {
            inputs.Add(($"features{l}", promptValues[3 * l]));
            inputs.Add(($"foreground{l}", promptValues[3 * l + 1]));
            inputs.Add(($"valid{l}", promptValues[3 * l + 2]));
        }
        int s = _info.InputSize, classes = prompt.Classes.Count;
        if (prior is not null && prior.Length != classes * s * s) throw new ArgumentException($"the prior has {prior.Length} values; {classes} classes at {s}x{s} need {classes * s * s}", nameof(prior));
        using var priorValue = prior is null ? null : OrtValue.CreateTensorValueFromMemory(prior, [1, classes, s, s]);
        if (priorValue is not null) inputs.Add(("prior", priorValue));
        using var logits = Run(role, inputs);
        var result = logits[0].GetTensorDataAsSpan<float>().ToArray();
        if (prompt.HasLogitOffsets)
        {
            for (int c = 0; c < classes; c++) TensorPrimitives.Add(result.AsSpan(c * s * s, s * s), prompt.LogitOffsets[c], result.AsSpan(c * s * s, s * s));
        }
        return result;
    }

    /// <summary>The restoration graph on logits [classes, S, S]: probabilities and labels at the frame's own size.</summary>
    internal SegmentResult Restore(EncodedFrame frame, float[] logits, IReadOnlyList<string> classes, float threshold, int minObjectArea)
    {
        var geometry = frame.Geometry;
        using var logitsValue = OrtValue.CreateTensorValueFromMemory(logits, [1, classes.Count, geometry.Size, geometry.Size]);
        using var resized = OrtValue.CreateTensorValueFromMemory(new long[] { geometry.ResizedHeight, geometry.ResizedWidth }, [2]);
        using var size = OrtValue.CreateTensorValueFromMemory(new long[] { frame.Image.Height, frame.Image.Width }, [2]);
        using var thresholdValue = OrtValue.CreateTensorValueFromMemory(new[] { threshold }, [1]);
        using var restored = Run("restore", [("logits", logitsValue), ("resized", resized), ("size", size), ("threshold", thresholdValue)]);
        return new SegmentResult(frame.Name, frame.Image, classes, restored[0].GetTensorDataAsSpan<float>().ToArray(), restored[1].GetTensorDataAsSpan<byte>().ToArray(), minObjectArea);
    }

    /// <summary>
    /// The prompt graph on an encoded frame's level maps: <paramref name="masks"/> [classes, S, S] (in [0, 1], padding
    /// 0) and <paramref name="labelled"/> [S, S] (1 where the masks are evidence, 0 elsewhere) → one example's levels.
    /// </summary>
    internal IReadOnlyList<PromptLevel> EncodeMasks(EncodedFrame frame, float[] masks, int classes, float[] labelled)
    {
        int s = _info.InputSize, levels = _info.Levels.Length;
        using var masksValue = OrtValue.CreateTensorValueFromMemory(masks, [1, classes, s, s]);
        using var labelledValue = OrtValue.CreateTensorValueFromMemory(labelled, [1, 1, s, s]);
        var inputs = new List<(string, OrtValue)>();
        for (int l = 0; l < levels; l++) inputs.Add(($"level{l}", frame.Maps[l]));
        inputs.Add(("masks", masksValue));
        inputs.Add(("labelled", labelledValue));
        using var encoded = Run("prompt", inputs);
        var result = new List<PromptLevel>();
        for (int l = 0; l < levels; l++)
        {
            result.Add(new PromptLevel(encoded[3 * l].GetTensorDataAsSpan<float>().ToArray(), encoded[3 * l + 1].GetTensorDataAsSpan<float>().ToArray(),
                encoded[3 * l + 2].GetTensorDataAsSpan<float>().ToArray(), encoded[3 * l].GetTensorTypeAndShape().Shape));
        }
        return result;
    }

    /// <summary>
    /// Segments one image with a supervised bundle's network (<see cref="BundleInfo.IsSupervised"/>): every pixel gets
    /// the most probable of <see cref="BundleInfo.Classes"/> (label i + 1 for class i); the result is at the image's size.
    /// </summary>
    /// <exception cref="InvalidOperationException">The bundle segments by example: encode examples and pass the prompt.</exception>
    public SegmentResult Segment(ImageInput image, SegmentOptions? options = null)
    {
        if (!_info.IsSupervised) throw new InvalidOperationException($"{System.IO.Path.GetFileName(Path)} segments by example: encode examples into a prompt and call Segment(prompt, image)");
        options ??= new SegmentOptions();
        var decoded = image.Decode();
        var geometry = Geometry.For(decoded.Height, decoded.Width, _info.InputSize);
        using var prepared = Prepare(decoded, geometry);
        using var logits = Run("network", [("image", prepared[0])]);
        using var resized = OrtValue.CreateTensorValueFromMemory(new long[] { geometry.ResizedHeight, geometry.ResizedWidth }, [2]);
        using var size = OrtValue.CreateTensorValueFromMemory(new long[] { decoded.Height, decoded.Width }, [2]);
        using var restored = Run("restore", [("logits", logits[0]), ("resized", resized), ("size", size)]);
        return new SegmentResult(image.Name, decoded, _info.Classes!, restored[0].GetTensorDataAsSpan<float>().ToArray(), restored[1].GetTensorDataAsSpan<byte>().ToArray(), options.MinObjectArea);
    }

    private void RequireByExample()
    {
        if (_info.IsSupervised) throw new InvalidOperationException($"{System.IO.Path.GetFileName(Path)} is a supervised network with fixed classes ({string.Join(", ", _info.Classes!)}): call Segment(image) without examples");
    }

    /// <summary>The prompt must come from this bundle's encoder and have its levels: fingerprint, level count, channels, grid.</summary>
    internal void CheckCompatible(Prompt prompt)
    {
        string source = prompt.Source is null ? "the prompt" : $"the prompt {prompt.Source}";
        if (prompt.Fingerprint != _info.Fingerprint)
        {
            throw new ArgumentException($"{source} was encoded with another model (fingerprint {prompt.Fingerprint}; {System.IO.Path.GetFileName(Path)} has {_info.Fingerprint}): encode the examples again with this model");
        }
        if (prompt.Levels.Count != _info.Levels.Length) throw new ArgumentException($"{source} has {prompt.Levels.Count} level(s), {System.IO.Path.GetFileName(Path)} matches {_info.Levels.Length}");
        for (int l = 0; l < prompt.Levels.Count; l++)
        {
            var shape = prompt.Levels[l].Shape;
            int grid = _info.InputSize / _info.LevelStrides[l];
            if (shape[1] != _info.LevelChannels[l] || shape[2] != grid || shape[3] != grid)
            {
                throw new ArgumentException($"{source} level {l} is [{string.Join(", ", shape)}], this model's is [K, {_info.LevelChannels[l]}, {grid}, {grid}]: encode the examples again with this model");
            }
        }
    }

    /// <summary>Segments many images in order, one result at a time, reporting how many are done.</summary>
    public async IAsyncEnumerable<SegmentResult> SegmentAsync(Prompt prompt, IEnumerable<ImageInput> images, SegmentOptions? options = null,
        IProgress<int>? progress = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        int done = 0;
        foreach (var image in images)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return await Task.Run(() => Segment(prompt, image, options), cancellationToken).ConfigureAwait(false);
            progress?.Report(++done);
        }
    }

    /// <summary>Frees the sessions.</summary>
    public void Dispose()
    {
        foreach (var s in _sessions.Values) s.Dispose();
        _sessions.Clear();
    }

    /// <summary>The image graph's outputs for <paramref name="image"/>: image, guide, valid.</summary>
    private DisposableValues Prepare(DecodedImage image, Geometry geometry)
    {
        using var pixels = OrtValue.CreateTensorValueFromMemory(image.Rgba, [1, image.Height, image.Width, 4]);
        using var scales = OrtValue.CreateTensorValueFromMemory(new[] { 1f, 1f, geometry.SampleScale, geometry.SampleScale }, [4]);
        using var resized = OrtValue.CreateTensorValueFromMemory(new long[] { geometry.ResizedHeight, geometry.ResizedWidth }, [2]);
        using var pads = OrtValue.CreateTensorValueFromMemory(new long[] { 0, 0, 0, 0, 0, 0, geometry.Size - geometry.ResizedHeight, geometry.Size - geometry.ResizedWidth }, [8]);
        return Run("image", [("pixels", pixels), ("scales", scales), ("resized", resized), ("pads", pads)]);
    }

    private DisposableValues Run(string role, IReadOnlyList<(string Name, OrtValue Value)> inputs)
    {
        ObjectDisposedException.ThrowIf(_sessions.Count == 0, this);
        var session = _sessions[role];
        using var runOptions = new RunOptions();
        var outputs = session.Run(runOptions, [.. inputs.Select(i => i.Name)], [.. inputs.Select(i => i.Value)], session.OutputNames);
        return new DisposableValues(outputs);
    }

    private static SessionOptions SessionOptionsFor(RuntimeOptions options)
    {
        var so = new SessionOptions
        {
            IntraOpNumThreads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        // Five sessions run one after another: threads that spin after a run would steal the cores from the next one.
        so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        try
        {
            switch (options.Provider)
            {
                case ExecutionProvider.Cuda: so.AppendExecutionProvider_CUDA(options.DeviceId); break;
                case ExecutionProvider.TensorRT: so.AppendExecutionProvider_Tensorrt(options.DeviceId); break;
                case ExecutionProvider.DirectML: so.AppendExecutionProvider_DML(options.DeviceId); break;
                case ExecutionProvider.CoreML: so.AppendExecutionProvider_CoreML(); break;
                case ExecutionProvider.OpenVINO: so.AppendExecutionProvider_OpenVINO(); break;
            }
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            so.Dispose();
            throw new NotSupportedException(
                $"the {options.Provider} execution provider is not available: add ONNX Runtime's package for it (e.g. Microsoft.ML.OnnxRuntime.Gpu for CUDA and TensorRT) and install its native libraries ({e.Message})", e);
        }
        return so;
    }

    private static string FindDefault()
    {
        var candidates = new List<string> { System.IO.Path.Combine(AppContext.BaseDirectory, "models", DefaultBundleName) };
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            candidates.Add(System.IO.Path.Combine(dir.FullName, "models", DefaultBundleName));
        }
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"the default model {DefaultBundleName} was not found (looked in {candidates[0]} and in models/ of the working directory and its parents); pass a bundle path");
    }

    /// <summary>Outputs of one run, freed together.</summary>
    internal sealed class DisposableValues(IDisposableReadOnlyCollection<OrtValue> values) : IDisposable
    {
        public OrtValue this[int index] => values[index];

        public void Dispose() => values.Dispose();
    }
}

/// <summary>One image decoded, prepared (image, guide, valid) and encoded (the level maps), freed together.</summary>
internal sealed class EncodedFrame(string name, DecodedImage image, Geometry geometry, ExemplarModel.DisposableValues prepared, ExemplarModel.DisposableValues maps) : IDisposable
{
    public string Name => name;

    public DecodedImage Image => image;

    public Geometry Geometry => geometry;

    /// <summary>The image graph's outputs: image, guide, valid [1, 1, S, S].</summary>
    public ExemplarModel.DisposableValues Prepared => prepared;

    /// <summary>The encoder's level maps.</summary>
    public ExemplarModel.DisposableValues Maps => maps;

    public void Dispose()
    {
        maps.Dispose();
        prepared.Dispose();
    }
}
