using System.Text.Json;

namespace Exemplar.Cli.Tests;

/// <summary>A fact skipped, with the reason, when Debian's ffmpeg and ffprobe are not on the PATH.</summary>
public sealed class FfmpegFactAttribute : FactAttribute
{
    public FfmpegFactAttribute(params string[] sharedFiles)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator);
        foreach (var tool in new[] { "ffmpeg", "ffprobe" })
        {
            if (!path.Any(d => File.Exists(Path.Combine(d, tool))))
            {
                Skip = $"{tool} is not installed (apt-get install ffmpeg, or scripts/setup.sh): skipping a test of video files";
                return;
            }
        }
        if (sharedFiles.Length > 0 && new SharedFactAttribute(sharedFiles).Skip is { } skip) Skip = skip;
    }
}

/// <summary><c>exemplar track</c>, video files through ffmpeg, and <c>eval --video</c>.</summary>
public sealed class TrackCommandTests : IDisposable
{
    private const string Dog = "data/davis2016/JPEGImages/480p/dog/00004.jpg";
    private readonly string _temp = Directory.CreateTempSubdirectory("exemplar-track-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string DavisFile(string kind, int frame, string ext) => SharedFolder.PathOf($"data/davis2016/{kind}/480p/dog/{frame:D5}.{ext}");

    [FfmpegFact]
    public void AVideoWrittenThroughFfmpegReadsBackWithItsFramesAndSize()
    {
        string file = Path.Combine(_temp, "clip.mp4");
        // An odd size: yuv420p needs even sides, so the writer pads to 64x48.
        using (var writer = new VideoWriter(file, 63, 47, 10, overwrite: false))
        {
            for (int t = 0; t < 6; t++)
            {
                var rgba = new byte[63 * 47 * 4];
                for (int i = 0; i < rgba.Length; i += 4) (rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]) = ((byte)(40 * t), 128, (byte)(i % 251), 255);
                writer.Write(rgba);
            }
            writer.Complete();
        }
        var source = VideoSource.Open(file);
        Assert.True(source.IsVideo);
        Assert.Equal((64, 48), (source.Width, source.Height));
        Assert.Equal(10, source.FrameRate!.Value, 3);
        var frames = source.Frames().ToList();
        Assert.Equal(6, frames.Count);
        Assert.Equal(["00000", "00005"], new[] { frames[0].Name, frames[5].Name });
        Assert.Throws<IOException>(() => new VideoWriter(file, 63, 47, 10, overwrite: false));
    }

    [FfmpegFact]
    public void AFileThatIsNoVideoIsNamedAsSuch()
    {
        string file = Path.Combine(_temp, "notes.mp4");
        File.WriteAllText(file, "not a video at all");
        var e = Assert.Throws<InvalidDataException>(() => VideoSource.Open(file));
        Assert.StartsWith($"{file}: not a video", e.Message);
        Assert.Throws<FileNotFoundException>(() => VideoSource.Open(Path.Combine(_temp, "missing.mp4")));
        Directory.CreateDirectory(Path.Combine(_temp, "empty"));
        Assert.Contains("no frames", Assert.Throws<InvalidDataException>(() => VideoSource.Open(Path.Combine(_temp, "empty"))).Message);
    }

    [FfmpegFact(Dog)]
    public void TrackWritesAMaskPerFrameOverlaysAndAVideoAndRefusesToOverwrite()
    {
        string frames = Path.Combine(_temp, "frames"), output = Path.Combine(_temp, "out"), video = Path.Combine(_temp, "dog.mp4");
        Directory.CreateDirectory(frames);
        for (int i = 1; i <= 4; i++) File.Copy(DavisFile("JPEGImages", i, "jpg"), Path.Combine(frames, $"{i:D5}.jpg"));
        string[] args = ["track", "--example", DavisFile("JPEGImages", 0, "jpg"), "--mask", DavisFile("Annotations", 0, "png"), "--frames", frames, "--out", output,
            "--overlay", "--video", video, "--threads", "2"];
        var (code, stdout, error) = Cli.Run(args);
        Assert.True(code == 0, error);
        Assert.Contains("tracked 4 frame(s)", stdout);
        Assert.Contains("fps", stdout);
        for (int i = 1; i <= 4; i++)
        {
            Assert.True(File.Exists(Path.Combine(output, $"{i:D5}.png")));
            Assert.True(File.Exists(Path.Combine(output, $"{i:D5}_overlay.png")));
        }
        var written = VideoSource.Open(video);
        Assert.Equal((854, 480), (written.Width, written.Height));
        Assert.Equal(4, written.Frames().Count());

        // The masks are the dog: most of each true mask is found.
        using var truth = Exemplar.Vision.IO.ImageReader.ReadTensor(DavisFile("Annotations", 4, "png"), Exemplar.Vision.IO.ImageReadOptions.Gray);
        using var mask = Exemplar.Vision.IO.ImageReader.ReadTensor(Path.Combine(output, "00004.png"), Exemplar.Vision.IO.ImageReadOptions.Gray);
        double j = Exemplar.Vision.Metrics.DavisMeasures.RegionSimilarity(mask.Squeeze(0).Gt(127), truth.Squeeze(0).Gt(127));
        Assert.True(j > 0.6, $"J {j:F3} on frame 4");

        (code, _, error) = Cli.Run(args);
        Assert.Equal(1, code);
        Assert.Contains("pass --force", error);
        Assert.Equal(0, Cli.Run([.. args, "--force"]).Code);
        Assert.Contains("--memory", Cli.Run([.. args, "--force", "--memory", "99"]).Error);
    }

    [SharedFact("data/davis2016/JPEGImages/480p/dog/00004.jpg")]
    public void EvalVideoWritesDavisScoresAndFramesPerSecond()
    {
        string json = Path.Combine(_temp, "davis.json");
        var (code, stdout, error) = Cli.Run("eval", "--video", "--dataset", $"davis2016:{SharedFolder.PathOf("data/davis2016")}", "--sequences", "dog", "--frames", "5",
            "--json", json, "--threads", "2");
        Assert.True(code == 0, error);
        Assert.Contains("J&F", stdout);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var root = document.RootElement;
        foreach (var key in new[] { "j_mean", "f_mean", "j_and_f", "fps" }) Assert.True(root.GetProperty(key).GetDouble() > 0, key);
        Assert.True(root.GetProperty("propagation_decoder").GetBoolean(), "the default bundle's tracker graph decodes the frames");
        Assert.Contains("propagation decoder", stdout);
        var sequence = root.GetProperty("sequences")[0];
        Assert.Equal("dog", sequence.GetProperty("sequence").GetString());
        Assert.Equal(3, sequence.GetProperty("scored_frames").GetInt32());                   // frames 1..3 of 0..4: not the first nor the last
        Assert.Equal((root.GetProperty("j_mean").GetDouble() + root.GetProperty("f_mean").GetDouble()) / 2, root.GetProperty("j_and_f").GetDouble(), 6);
        Assert.True(root.GetProperty("j_mean").GetDouble() > 60);
        Assert.Contains("davis2016:PATH", Cli.Run("eval", "--video", "--dataset", "camvid:x").Error);
        Assert.Contains("--engine torch", Cli.Run("eval", "--video", "--dataset", "davis2016:x", "--engine", "torch").Error);
        Assert.Contains("--frames 2", Cli.Run("eval", "--video", "--dataset", "davis2016:x", "--frames", "2").Error);
        // The tracker's options without --video would be ignored by the episodes' scores: refused.
        Assert.Contains("--threshold is for --video", Cli.Run("eval", "--dataset", "davis2016:x", "--threshold", "0.3").Error);
        Assert.Contains("--memory is for --video", Cli.Run("eval", "--suite", "shared", "--memory", "2").Error);
        // And the episodes' options with --video would be ignored by the tracker: refused too.
        Assert.Contains("--shots is for few-shot episodes", Cli.Run("eval", "--video", "--dataset", "davis2016:x", "--shots", "5").Error);
        Assert.Contains("--baseline is for few-shot episodes", Cli.Run("eval", "--video", "--dataset", "davis2016:x", "--baseline").Error);
    }

    [SharedFact("data/davis2016/JPEGImages/480p/dog/00004.jpg", Cli.Weights)]
    public void EvalVideoTunesEachFirstFrameAndTracksFromItsPrompt()
    {
        string decoder = Path.Combine(SharedFolder.RepositoryRoot, "models", "mobilenetv2-incontext-decoder.safetensors");
        string[] args = ["eval", "--video", "--dataset", $"davis2016:{SharedFolder.PathOf("data/davis2016")}", "--sequences", "dog", "--frames", "4", "--threads", "2", "--force"];
        string[] torch = ["--weights", SharedFolder.PathOf(Cli.Weights), "--decoder", decoder];
        JsonElement Scores(string name, params string[] extra)
        {
            string json = Path.Combine(_temp, name);
            var (code, _, error) = Cli.Run([.. args, "--json", json, .. extra]);
            Assert.True(code == 0, error);
            return JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        }
        var untuned = Scores("untuned.json");
        Assert.Equal(JsonValueKind.Null, untuned.GetProperty("tuning").ValueKind);
        // Tuning that changes nothing (no steps, no offsets) carries the bundle's own encoding over exactly: the same scores.
        var unchanged = Scores("unchanged.json", ["--tune", "--tune-steps", "0", "--tune-max-offset", "0", .. torch]);
        Assert.Equal(untuned.GetProperty("j_mean").GetDouble(), unchanged.GetProperty("j_mean").GetDouble());
        Assert.Equal(untuned.GetProperty("f_mean").GetDouble(), unchanged.GetProperty("f_mean").GetDouble());
        var tuned = Scores("tuned.json", ["--tune", "--tune-steps", "3", "--tune-lr", "0.03", .. torch]);
        Assert.Equal(3, tuned.GetProperty("tuning").GetProperty("steps").GetInt32());
        Assert.True(tuned.GetProperty("tune_seconds").GetDouble() > 0);
        Assert.True(tuned.GetProperty("sequences")[0].GetProperty("tune_seconds").GetDouble() > 0);
        Assert.NotEqual(untuned.GetProperty("j_mean").GetDouble(), tuned.GetProperty("j_mean").GetDouble());
        Assert.True(tuned.GetProperty("j_mean").GetDouble() > 60);

        Assert.Contains("--weights is required", Cli.Run([.. args, "--tune"]).Error);
        Assert.Contains("--tune-steps is for --tune", Cli.Run([.. args, "--tune-steps", "2"]).Error);
    }
}
