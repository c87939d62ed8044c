using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Exemplar.InContext;
using Exemplar.InContext.Evaluation;
using Exemplar.InContext.Tuning;
using Exemplar.Runtime;
using Exemplar.Torch;
using Exemplar.Torch.IO;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.Metrics;
using Spectre.Console;

namespace Exemplar.Cli;

/// <summary>One sequence's DAVIS scores.</summary>
internal sealed record VideoSequenceScore(
    [property: JsonPropertyName("sequence")] string Sequence,
    [property: JsonPropertyName("frames")] int Frames,
    [property: JsonPropertyName("scored_frames")] int ScoredFrames,
    [property: JsonPropertyName("j_mean")] double JMean,
    [property: JsonPropertyName("j_recall")] double JRecall,
    [property: JsonPropertyName("j_decay")] double JDecay,
    [property: JsonPropertyName("f_mean")] double FMean,
    [property: JsonPropertyName("f_recall")] double FRecall,
    [property: JsonPropertyName("f_decay")] double FDecay,
    [property: JsonPropertyName("j_and_f")] double JAndF,
    [property: JsonPropertyName("fps")] double Fps,
    [property: JsonPropertyName("tune_seconds")] double? TuneSeconds);

/// <summary>How <c>eval --video --tune</c> starts each track: <paramref name="Prompt"/> makes the bundle prompt of a sequence's first frame, tuned as <paramref name="Options"/> say.</summary>
internal sealed record FirstFrameTuning(PromptTuningOptions Options, Func<DatasetItem, Prompt> Prompt);

/// <summary>The semi-supervised DAVIS evaluation of the video tracker (scores in percent).</summary>
internal sealed record VideoEvaluation(
    [property: JsonPropertyName("dataset")] string Dataset,
    [property: JsonPropertyName("bundle")] string Bundle,
    [property: JsonPropertyName("tracker")] TrackerOptions Tracker,
    [property: JsonPropertyName("propagation_decoder")] bool PropagationDecoder,
    [property: JsonPropertyName("tuning")] PromptTuningOptions? Tuning,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("j_mean")] double JMean,
    [property: JsonPropertyName("f_mean")] double FMean,
    [property: JsonPropertyName("j_and_f")] double JAndF,
    [property: JsonPropertyName("fps")] double Fps,
    [property: JsonPropertyName("frames")] int Frames,
    [property: JsonPropertyName("tune_seconds")] double? TuneSeconds,
    [property: JsonPropertyName("sequences")] IReadOnlyList<VideoSequenceScore> Sequences);

/// <summary>
/// <c>exemplar eval --video --dataset davis2016:PATH</c>: DAVIS's semi-supervised protocol on the video tracker. Each
/// sequence's first frame and its annotation are the example; every other frame is tracked in order, and, as
/// davis2017-evaluation does, J and F are scored on all frames but the first and the last, then summarised per
/// sequence (<see cref="DavisStatistics"/>: mean, recall, decay); the overall J and F are the means over sequences,
/// J&amp;F their mean. Frames per second count the tracking alone (decoding the JPEG through the five graphs), not
/// the scoring. With <c>--tune</c>, each sequence's first frame is first tuned on itself (<see cref="PromptTuner"/>:
/// one example, so its mirror image is the target) with the Exemplar.Torch segmenter of --weights and --decoder, and
/// the tracker starts from that prompt carried over to the bundle (<see cref="TunedBundlePrompt"/>), as <c>exemplar
/// tune --bundle</c> then <c>exemplar track --prompts</c> would; the seconds it takes are reported apart from the fps.
/// </summary>
internal sealed class EvalVideo
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public Option<bool> Video { get; } = new("--video") { Description = "Score the video tracker on DAVIS (--dataset davis2016:PATH): J, F and J&F on all frames but the first and last, and frames per second." };

    public Option<string[]> Sequences { get; } = new("--sequences") { Description = "--video: only these sequences (default: all).", AllowMultipleArgumentsPerToken = true };

    public Option<int?> Frames { get; } = new("--frames") { Description = "--video: only the first N frames of each sequence (at least 3)." };

    public TrackerCliOptions Tracker { get; } = new();

    /// <summary>Adds --video, --sequences, --frames and the tracker's options to <c>eval</c>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Video);
        command.Options.Add(Sequences);
        command.Options.Add(Frames);
        Tracker.AddTo(command);
    }

    /// <summary>
    /// Refuses the tracker's options (and --sequences, --frames) without --video: few-shot episodes and detection would
    /// ignore them, and a score that silently ignored --threshold would be a wrong answer.
    /// </summary>
    public void RefuseWithoutVideo(ParseResult result)
    {
        GivenOptions.Refuse(result, "is for --video (the tracker on DAVIS)", Tracker.All.Prepend(Frames).Prepend(Sequences));
    }

    /// <summary>
    /// Runs the evaluation: prints a table per sequence and writes <paramref name="jsonFile"/> when given; with
    /// <paramref name="tuning"/> (--tune), each first frame is tuned as it says, by the torch segmenter of <paramref name="inputs"/>.
    /// </summary>
    public int Run(ParseResult result, string? dataset, FileInfo? jsonFile, bool overwrite, EngineOptions engine, CliInputs inputs, PromptTuningOptions? tuning)
    {
        if (dataset is null) throw new ArgumentException("--video needs --dataset davis2016:PATH");
        if (result.GetValue(engine.Engine) == EngineKind.Torch) throw new ArgumentException("--video runs the tracker of Exemplar.Runtime (--bundle FILE); --engine torch has none");
        if (result.GetValue(engine.FlipTest)) throw new ArgumentException("--flip-test segments single images; the tracker (--video) does not use it");
        var target = EvaluationDataset.Parse(dataset);
        if (target.Kind != DatasetKind.Davis2016) throw new ArgumentException($"--video scores DAVIS: give --dataset davis2016:PATH, not '{dataset}'");
        int? limit = result.GetValue(Frames);
        if (limit is < 3) throw new ArgumentException($"--frames {limit}: give at least 3 (the first frame is the example, the last is not scored)");
        if (jsonFile is not null && AtomicFile.Exists(jsonFile.FullName) && !overwrite) throw new IOException($"{jsonFile.FullName} exists; pass --force to overwrite it");
        var options = Tracker.Read(result);
        var sequences = result.GetValue(Sequences) is { Length: > 0 } chosen ? chosen : null;
        var data = new DavisDataset(target.Root, new DavisOptions { Sequences = sequences });
        using var model = engine.LoadModel(result, LibTorch.Threads);
        using var zoo = tuning is null ? null : inputs.LoadSegmenter(result);
        if (zoo is not null) TunedBundlePrompt.CheckFits(model, model.Path, zoo.Segmenter);
        FirstFrameTuning? firstFrame = zoo is null ? null : new(tuning!, first =>
        {
            using var examples = ZooSegmenter.ReadExamples((first.ImagePath, first.MaskPath!));
            using var tuned = new PromptTuner(zoo.Segmenter).Tune(examples, tuning!);
            return TunedBundlePrompt.Create(model, model.Path, examples, tuned);
        });
        var evaluation = Evaluate(model, data, options, limit, LibTorch.Threads, Terminal.Note, firstFrame);
        Print(evaluation);
        if (jsonFile is not null) AtomicFile.WriteAllText(jsonFile.FullName, JsonSerializer.Serialize(evaluation, Json), overwrite);
        return 0;
    }

    /// <summary>
    /// Tracks and scores every sequence of <paramref name="data"/> (the first <paramref name="limit"/> frames of each
    /// when given); with <paramref name="firstFrame"/>, each tracker starts from the prompt it tunes of the sequence's
    /// first frame (timed apart from the tracking).
    /// </summary>
    internal static VideoEvaluation Evaluate(ExemplarModel model, DavisDataset data, TrackerOptions options, int? limit, int threads, Action<string>? note = null,
        FirstFrameTuning? firstFrame = null)
    {
        var scores = new List<VideoSequenceScore>();
        double seconds = 0, tuneSeconds = 0;
        int tracked = 0;
        bool propagates = false;
        foreach (var sequence in data.Sequences)
        {
            var items = data.FramesOf(sequence).Select(i => (Index: i, Item: data.Items[i])).ToList();
            if (limit is { } n) items = items.Take(n).ToList();
            if (items.Count < 3) throw new InvalidDataException($"{data.Root}: sequence '{sequence}' has {items.Count} frame(s); DAVIS scoring needs at least 3");
            var first = items[0].Item;
            var tuneClock = Stopwatch.StartNew();
            using var prompt = firstFrame?.Prompt(first);
            double? tuned = prompt is null ? null : tuneClock.Elapsed.TotalSeconds;
            tuneSeconds += tuned ?? 0;
            using var tracker = new VideoTracker(model, new Example(first.ImagePath, first.MaskPath!), prompt, options);
            propagates = tracker.Propagates;
            var j = new List<double>();
            var f = new List<double>();
            var clock = new Stopwatch();
            for (int k = 1; k < items.Count; k++)
            {
                clock.Start();
                var frame = tracker.Track(items[k].Item.ImagePath);
                clock.Stop();
                if (k == items.Count - 1) continue;                                     // DAVIS leaves out the last frame
                using var scope = DisposeScope.Begin();
                var truth = data.LoadLabelMap(items[k].Index);
                var prediction = Tensor.From(frame.Result.Labels, frame.Result.Height, frame.Result.Width);
                if (truth.Size(0) != frame.Result.Height || truth.Size(1) != frame.Result.Width)
                {
                    throw new InvalidDataException($"{items[k].Item.MaskPath}: the annotation is {truth.Size(1)}x{truth.Size(0)}, its frame {frame.Result.Width}x{frame.Result.Height}");
                }
                var score = DavisMeasures.Measure(prediction, truth);
                j.Add(score.J);
                f.Add(score.F);
            }
            seconds += clock.Elapsed.TotalSeconds;
            tracked += items.Count - 1;
            var js = DavisStatistics.Summarize(j);
            var fs = DavisStatistics.Summarize(f);
            var entry = new VideoSequenceScore(sequence, items.Count, j.Count, 100 * js.Mean, 100 * js.Recall, 100 * js.Decay, 100 * fs.Mean, 100 * fs.Recall, 100 * fs.Decay,
                50 * (js.Mean + fs.Mean), (items.Count - 1) / clock.Elapsed.TotalSeconds, tuned);
            note?.Invoke($"{sequence}: J {entry.JMean:F1}, F {entry.FMean:F1}, J&F {entry.JAndF:F1}, {entry.Fps:F1} fps" + (tuned is { } t ? $", tuned in {t:F1} s" : ""));
            scores.Add(entry);
        }
        double jMean = scores.Average(s => s.JMean), fMean = scores.Average(s => s.FMean);
        return new VideoEvaluation($"davis2016:{data.Root}", Path.GetFileName(model.Path), options, propagates, firstFrame?.Options, threads,
            jMean, fMean, (jMean + fMean) / 2, tracked / seconds, tracked, firstFrame is null ? null : tuneSeconds / scores.Count, scores);
    }

    private static void Print(VideoEvaluation e)
    {
        var console = Terminal.Output();
        var table = new Table().AddColumns("sequence", "frames", "J mean", "F mean", "J&F", "fps");
        foreach (var s in e.Sequences) table.AddRow(Markup.Escape(s.Sequence), s.Frames.ToString(), $"{s.JMean:F1}", $"{s.FMean:F1}", $"{s.JAndF:F1}", $"{s.Fps:F1}");
        table.AddRow("[bold]mean[/]", e.Frames.ToString(), $"{e.JMean:F1}", $"{e.FMean:F1}", $"{e.JAndF:F1}", $"{e.Fps:F1}");
        console.Write(table);
        console.WriteLine($"DAVIS-2016 semi-supervised, {e.Sequences.Count} sequence(s), {e.Bundle}, {TrackerCliOptions.Describe(e.Tracker, e.PropagationDecoder)}" +
                          (e.Tuning is { } t ? $", first frame tuned ({t.Steps} steps, lr {t.LearningRate}{(t.Flip ? ", flip" : "")}, offsets ±{t.MaxLogitOffset}; {e.TuneSeconds:F1} s per sequence)" : "") +
                          $": J {e.JMean:F1}, F {e.FMean:F1}, J&F {e.JAndF:F1}, {e.Fps:F1} fps");
    }
}
