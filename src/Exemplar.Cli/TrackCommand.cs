using System.CommandLine;
using System.Diagnostics;
using Exemplar.Runtime;
using Exemplar.Torch;

namespace Exemplar.Cli;

/// <summary>The tracker's options on the command line (<c>track</c> and <c>eval --video</c>), read into <see cref="TrackerOptions"/>.</summary>
internal sealed class TrackerCliOptions
{
    private static readonly TrackerOptions Defaults = new();

    public Option<int> Memory { get; } = new("--memory") { Description = $"Recent predicted frames used as extra examples (0 to {TrackerOptions.MaxMemoryFrames}; 0: the first frame alone).", DefaultValueFactory = _ => Defaults.MemoryFrames };

    public Option<bool> NoPrior { get; } = new("--no-prior") { Description = "No spatial prior: search the whole frame, not only around the previous mask." };

    public Option<float> PriorMargin { get; } = new("--prior-margin") { Description = "The prior's margin around the previous mask, as a fraction of the square root of its area.", DefaultValueFactory = _ => Defaults.PriorMargin };

    public Option<int> PriorMinMargin { get; } = new("--prior-min-margin") { Description = "The prior's smallest margin, in pixels of the model's input.", DefaultValueFactory = _ => Defaults.PriorMinMargin };

    public Option<float> UncertainBand { get; } = new("--uncertain-band") { Description = "In remembered frames, pixels whose probability is within this of the threshold are left unlabelled (0 to 0.5).", DefaultValueFactory = _ => Defaults.UncertainBand };

    public Option<int> BoundaryBand { get; } = new("--boundary-band") { Description = "In remembered frames, pixels this close to the predicted boundary (pixels of the model's input) are left unlabelled.", DefaultValueFactory = _ => Defaults.BoundaryBand };

    public Option<bool> HardMemoryMasks { get; } = new("--hard-memory-masks") { Description = "Remembered frames' masks count fully, not weighted by their probabilities." };

    public Option<float> OutsideWeight { get; } = new("--outside-weight") { Description = "Factor on probabilities outside the prior's margin (0 to 1).", DefaultValueFactory = _ => Defaults.OutsideWeight };

    public Option<float> MinConfidence { get; } = new("--min-confidence") { Description = "A frame joins the memory when its mean foreground probability reaches this (0 to 1).", DefaultValueFactory = _ => Defaults.MinConfidence };

    public Option<double?> Threshold { get; } = new("--threshold") { Description = "Probability above which a pixel belongs to an object (0 to 1; default: the bundle's)." };

    public Option<bool> NoPropagationDecoder { get; } = new("--no-propagation-decoder") { Description = "Decode every frame with the image decoder, even when the bundle has a propagation decoder (its tracker graph)." };

    /// <summary>Every tracker option.</summary>
    public IReadOnlyList<Option> All => [NoPropagationDecoder, Memory, NoPrior, PriorMargin, PriorMinMargin, OutsideWeight, MinConfidence, UncertainBand, BoundaryBand, HardMemoryMasks, Threshold];

    public void AddTo(Command command)
    {
        foreach (var option in All) command.Options.Add(option);
    }

    /// <summary>The options given, validated (a value out of range names its option).</summary>
    public TrackerOptions Read(ParseResult result)
    {
        var options = new TrackerOptions
        {
            PropagationDecoder = !result.GetValue(NoPropagationDecoder),
            MemoryFrames = result.GetValue(Memory),
            SpatialPrior = !result.GetValue(NoPrior),
            PriorMargin = result.GetValue(PriorMargin),
            PriorMinMargin = result.GetValue(PriorMinMargin),
            UncertainBand = result.GetValue(UncertainBand),
            WeightByProbability = !result.GetValue(HardMemoryMasks),
            BoundaryBand = result.GetValue(BoundaryBand),
            OutsideWeight = result.GetValue(OutsideWeight),
            MinConfidence = result.GetValue(MinConfidence),
            Threshold = result.GetValue(Threshold) is { } t ? (float)t : null,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            string option = e.ParamName switch
            {
                nameof(TrackerOptions.MemoryFrames) => "--memory",
                nameof(TrackerOptions.PriorMargin) => "--prior-margin",
                nameof(TrackerOptions.PriorMinMargin) => "--prior-min-margin",
                nameof(TrackerOptions.UncertainBand) => "--uncertain-band",
                nameof(TrackerOptions.BoundaryBand) => "--boundary-band",
                nameof(TrackerOptions.OutsideWeight) => "--outside-weight",
                nameof(TrackerOptions.MinConfidence) => "--min-confidence",
                nameof(TrackerOptions.Threshold) => "--threshold",
                _ => e.ParamName ?? "an option",
            };
            throw new ArgumentException($"{option}: {e.Message.Split(" (Parameter", 2)[0]}", e);
        }
        return options;
    }

    /// <summary>The options in words, for logs; <paramref name="propagates"/>: whether the bundle's propagation decoder decodes the frames.</summary>
    public static string Describe(TrackerOptions o, bool propagates)
    {
        string decoder = propagates ? "propagation decoder" : "image decoder";
        if (o.MemoryFrames == 0 && !o.SpatialPrior) return propagates ? $"{decoder}, no memory, no spatial prior" : $"{decoder}, first frame only (no memory, no prior)";
        string memory = o.MemoryFrames == 0 ? "no memory"
            : $"memory {o.MemoryFrames} (min confidence {o.MinConfidence}, uncertain band {o.UncertainBand}, boundary band {o.BoundaryBand} px{(o.WeightByProbability ? "" : ", hard masks")})";
        string prior = o.SpatialPrior ? $"prior margin {o.PriorMargin}·√area (≥ {o.PriorMinMargin} px), outside ×{o.OutsideWeight}" : "no prior";
        return $"{decoder}, {memory}, {prior}";
    }
}

/// <summary>
/// <c>exemplar track</c>: propagates a first-frame mask through a video (a folder of frames or a video file), writing
/// a mask per frame, optionally overlays and an overlay video.
/// </summary>
internal static class TrackCommand
{
    internal static Command Create()
    {
        var inputs = new CliInputs();
        var frames = new Option<string>("--frames") { Description = "The frames to track: a folder of images (in file-name order) or a video file (mp4, mkv, …; needs ffmpeg).", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for one mask PNG per frame (created if needed).", Required = true };
        var overlay = new Option<bool>("--overlay") { Description = "Also write <frame>_overlay.png per frame." };
        var video = new Option<FileInfo?>("--video") { Description = "Also write the overlays as an H.264 MP4 (needs ffmpeg)." };
        var fps = new Option<double?>("--fps") { Description = "Frame rate of --video (default: the input video's, 24 for a folder)." };
        var force = new Option<bool>("--force") { Description = "Overwrite existing outputs." };
        var prompt = new Option<FileInfo?>("--prompts") { Description = "A prompt of this bundle (e.g. from tune --bundle) to segment the frames with, in place of the first frame's own encoding; --example and --mask still give the first frame." };
        var tracker = new TrackerCliOptions();
        var engine = new EngineOptions();
        var command = new Command("track", "Track what a first-frame mask shows through the frames of a video (Exemplar.Runtime).")
        {
            frames, output, overlay, video, fps, force, prompt, engine.Bundle, engine.Device,
        };
        inputs.AddPromptOptions(command);
        tracker.AddTo(command);
        command.SetAction(result =>
        {
            var options = tracker.Read(result);
            bool overwrite = result.GetValue(force);
            if (result.GetValue(inputs.Examples) is not { Length: 1 }) throw new ArgumentException("give one --example (the first frame) with its --mask");
            if (result.GetValue(fps) is { } rate && !(rate > 0 && double.IsFinite(rate))) throw new ArgumentException($"--fps {rate}: give a positive frame rate");
            var source = VideoSource.Open(result.GetValue(frames)!);
            var outDir = result.GetValue(output)!.FullName;
            bool writeOverlay = result.GetValue(overlay);
            var videoFile = result.GetValue(video)?.FullName;
            if (videoFile is not null && File.Exists(videoFile) && !overwrite) throw new IOException($"{videoFile} exists; pass --force to overwrite it");
            if (!overwrite) RefuseExisting(source, outDir, writeOverlay);

            using var prompts = inputs.LoadPrompts(result, warning => Console.Error.WriteLine($"warning: {warning}"));
            using var model = engine.LoadModel(result, LibTorch.Threads);
            using var given = result.GetValue(prompt) is { } promptFile ? SegmentCommand.LoadRuntimePrompt(promptFile.FullName) : null;
            using var track = new VideoTracker(model, RuntimeExampleSegmenter.Examples(prompts)[0], given, options);
            Terminal.Note($"tracking {string.Join(", ", track.Classes)} in {source.Path} ({TrackerCliOptions.Describe(options, track.Propagates)})");
            bool created = !Directory.Exists(outDir);
            Directory.CreateDirectory(outDir);
            VideoWriter? writer = null;
            int count = 0, total = source.FrameCount ?? 0;
            var clock = new Stopwatch();
            var sinceReport = Stopwatch.StartNew();
            try
            {
                foreach (var frame in source.Frames())
                {
                    clock.Start();
                    var tracked = track.Track(frame.Image);
                    clock.Stop();
                    var mask = Path.Combine(outDir, frame.Name + ".png");
                    tracked.Result.SaveMask(mask, overwrite);
                    if (writeOverlay) tracked.Result.SaveOverlay(Path.Combine(outDir, frame.Name + "_overlay.png"), overwrite: overwrite);
                    if (videoFile is not null)
                    {
                        writer ??= new VideoWriter(videoFile, tracked.Result.Width, tracked.Result.Height, result.GetValue(fps) ?? source.FrameRate ?? 24, overwrite);
                        if (tracked.Result.Width != writer.Width || tracked.Result.Height != writer.Height)
                        {
                            throw new ArgumentException($"{frame.Image.Name}: {tracked.Result.Width}x{tracked.Result.Height}, the video's frames are {writer.Width}x{writer.Height}");
                        }
                        writer.Write(tracked.Result.OverlayPixels());
                    }
                    count++;
                    if (sinceReport.Elapsed.TotalSeconds >= 2)
                    {
                        Terminal.Note($"frame {count}{(total > 0 ? $"/{total}" : "")}: {count / clock.Elapsed.TotalSeconds:F1} fps, memory {track.MemorySize}");
                        sinceReport.Restart();
                    }
                }
                writer?.Complete();
            }
            catch
            {
                if (created && !Directory.EnumerateFileSystemEntries(outDir).Any()) Directory.Delete(outDir);
                throw;
            }
            finally
            {
                writer?.Dispose();
            }
            Console.WriteLine($"tracked {count} frame(s) in {clock.Elapsed.TotalSeconds:F1} s ({count / Math.Max(clock.Elapsed.TotalSeconds, 1e-9):F1} fps); masks in {outDir}" +
                              (videoFile is null ? "" : $", video {videoFile}"));
            return 0;
        });
        return command;
    }

    /// <summary>Refuses a run whose outputs exist (for a video file, the frame count its container gives, or the first frame's).</summary>
    private static void RefuseExisting(VideoSource source, string outDir, bool overlay)
    {
        var names = source.FileNames?.Select(Path.GetFileNameWithoutExtension)
            ?? Enumerable.Range(0, Math.Max(1, source.FrameCount ?? 1)).Select(i => i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture));
        var existing = names.SelectMany(n => overlay ? new[] { n + ".png", n + "_overlay.png" } : [n + ".png"])
            .Select(f => Path.Combine(outDir, f!)).Where(File.Exists).ToList();
        if (existing.Count > 0) throw new IOException($"{existing.Count} output file(s) exist, e.g. {existing[0]}; pass --force to overwrite them");
    }
}
