using SkiaSharp;

namespace Exemplar.Runtime.Tests;

/// <summary>The video tracker with the default bundle: synthetic clips (a look-alike distractor, two objects) and DAVIS frames.</summary>
public sealed class VideoTrackerTests
{
    private const int Width = 320, Height = 240, Radius = 28;

    private static readonly (byte R, byte G, byte B) Red = (210, 40, 40), Blue = (40, 60, 220);

    /// <summary>
    /// Discs of radius <see cref="Radius"/> at height 120 on a textured background, each at its centre x and in its
    /// colour: the frame's pixels and each disc's mask.
    /// </summary>
    private static (ImageInput Image, bool[][] Masks) Discs(string name, params (int X, (byte R, byte G, byte B) Colour)[] discs)
    {
        const int cy = 120;
        var rgb = new byte[Width * Height * 3];
        var masks = discs.Select(_ => new bool[Width * Height]).ToArray();
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                int i = y * Width + x;
                var (r, g, b) = ((byte)(60 + (x * 13 + y * 7) % 50), (byte)(90 + (x * 5 + y * 11) % 60), (byte)(70 + (x * 3 + y * 17) % 40));
                for (int d = 0; d < discs.Length; d++)
                {
                    masks[d][i] = (x - discs[d].X) * (x - discs[d].X) + (y - cy) * (y - cy) < Radius * Radius;
                    if (masks[d][i]) (r, g, b) = discs[d].Colour;
                }
                (rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]) = (r, g, b);
            }
        }
        return (ImageInput.FromPixels(rgb, Width, Height, PixelFormat.Rgb24, name: name), masks);
    }

    /// <summary>
    /// A clip of two identical red discs: the left one (the tracked object) moves right by 6 pixels per frame from
    /// x = 70, the distractor stays at x = 250. Frame t's pixels and the target's mask.
    /// </summary>
    private static (ImageInput Image, bool[] Truth, byte[] MaskGray) Frame(int t)
    {
        var (image, masks) = Discs($"frame{t}", (70 + 6 * t, Red), (250, Red));
        return (image, masks[0], [.. masks[0].Select(m => m ? (byte)255 : (byte)0)]);
    }

    private static Example FirstExample()
    {
        var (image, _, mask) = Frame(0);
        return new Example(image, ImageInput.FromPixels(mask, Width, Height, PixelFormat.Gray8, name: "frame0 mask"));
    }

    private static double MeanIoU(ExemplarModel model, TrackerOptions options, int frames)
    {
        using var tracker = new VideoTracker(model, FirstExample(), options);
        double sum = 0;
        for (int t = 1; t <= frames; t++)
        {
            var (image, truth, _) = Frame(t);
            var tracked = tracker.Track(image);
            Assert.Equal(t - 1, tracked.Index);
            sum += Samples.IoU(tracked.Result.ClassMask(0), truth);
        }
        return sum / frames;
    }

    [Fact]
    public void PropagationFollowsTheObjectWhereTheFirstFrameAloneAlsoFindsItsLookAlike()
    {
        using var model = ExemplarModel.Load();
        double oneShot = MeanIoU(model, new TrackerOptions { PropagationDecoder = false, MemoryFrames = 0, SpatialPrior = false }, 8);
        double tracked = MeanIoU(model, new TrackerOptions { PropagationDecoder = false, MemoryFrames = 2, PriorMargin = 0.5f }, 8);
        // The first frame alone matches both discs (IoU about one half); tracking keeps to the one that was marked.
        Assert.True(oneShot < 0.65, $"one-shot IoU {oneShot:F3}: the distractor should be found too");
        Assert.True(tracked > oneShot + 0.2, $"tracked IoU {tracked:F3} vs one-shot {oneShot:F3}");
        Assert.True(tracked > 0.75, $"tracked IoU {tracked:F3}");
    }

    [Fact]
    public void WithoutMemoryAndPriorEachFrameIsSegmentedAsFromTheFirstFrameAlone()
    {
        using var model = ExemplarModel.Load();
        using var prompt = model.Encode([FirstExample()]);
        using var tracker = new VideoTracker(model, FirstExample(), new TrackerOptions { PropagationDecoder = false, MemoryFrames = 0, SpatialPrior = false });
        Assert.False(tracker.Propagates);
        for (int t = 1; t <= 2; t++)
        {
            var expected = model.Segment(prompt, Frame(t).Image);
            var tracked = tracker.Track(Frame(t).Image);
            Assert.Equal(expected.Labels, tracked.Result.Labels);
            Assert.Equal(expected.Scores(0).ToArray(), tracked.Result.Scores(0).ToArray());
            Assert.False(tracked.Remembered);
            Assert.Equal(0, tracker.MemorySize);
        }
    }

    [Fact]
    public void AGivenPromptStandsInForTheFirstFramesEncodingAndStaysTheCallers()
    {
        using var model = ExemplarModel.Load();
        var options = new TrackerOptions { PropagationDecoder = false, MemoryFrames = 0, SpatialPrior = false };
        using var own = model.Encode([FirstExample()]);
        using var tuned = own.WithFeatures(own.Features, [2f]);
        var expected = model.Segment(tuned, Frame(1).Image);
        using (var tracker = new VideoTracker(model, FirstExample(), tuned, options))
        {
            var tracked = tracker.Track(Frame(1).Image);
            Assert.Equal(expected.Scores(0).ToArray(), tracked.Result.Scores(0).ToArray());
            Assert.Equal(expected.Labels, tracked.Result.Labels);
        }
        using (var plain = new VideoTracker(model, FirstExample(), options))
        {
            Assert.NotEqual(expected.Scores(0).ToArray(), plain.Track(Frame(1).Image).Result.Scores(0).ToArray());
        }
        // The tracker did not free the caller's prompt.
        Assert.Equal(expected.Labels, model.Segment(tuned, Frame(1).Image).Labels);

        // Remembered frames join the given prompt, which keeps its offsets.
        using (var remembering = new VideoTracker(model, FirstExample(), tuned, options with { MemoryFrames = 2, MinConfidence = 0 }))
        {
            remembering.Track(Frame(1).Image);
            Assert.Equal(1, remembering.MemorySize);
            using var memory = remembering.WithMemory();
            Assert.Equal(2, memory.ExampleCount);
            Assert.Equal([2f], memory.LogitOffsets);
        }

        var (image, _, mask) = Frame(0);
        using var other = model.Encode([new Example(image, ImageInput.FromPixels(mask, Width, Height, PixelFormat.Gray8, name: "frame0 mask"), "disc")]);
        var e = Assert.Throws<ArgumentException>(() => new VideoTracker(model, FirstExample(), other, options));
        Assert.Contains("has classes [disc], the first frame's masks [object]", e.Message);
    }

    [Fact]
    public void ThePropagationDecoderAloneKeepsToTheMarkedObject()
    {
        using var model = ExemplarModel.Load();
        Assert.True(model.Info.HasTracker, "the default bundle has a propagation decoder");
        var options = new TrackerOptions { MemoryFrames = 0, SpatialPrior = false };
        using (var tracker = new VideoTracker(model, FirstExample(), options)) Assert.True(tracker.Propagates);
        // No spatial prior, no memory: what keeps the look-alike out is the decoder reading where the object was.
        double oneShot = MeanIoU(model, options with { PropagationDecoder = false }, 8);
        double propagated = MeanIoU(model, options, 8);
        Assert.True(propagated > oneShot + 0.2, $"propagated IoU {propagated:F3} vs one-shot {oneShot:F3}");
        Assert.True(propagated > 0.75, $"propagated IoU {propagated:F3}");
    }

    [Fact]
    public void ABundleWithoutATrackerGraphDecodesFramesWithItsImageDecoder()
    {
        string dir = Directory.CreateTempSubdirectory("exemplar-tracker-").FullName;
        try
        {
            string bundle = Path.Combine(dir, "no-tracker.exemplar");
            File.Copy(Path.Combine(AppContext.BaseDirectory, "models", ExemplarModel.DefaultBundleName), bundle);
            EditManifest(bundle, graphs => graphs.Remove(BundleInfo.TrackerRole));
            using (var model = ExemplarModel.Load(bundle))
            {
                Assert.False(model.Info.HasTracker);
                using var tracker = new VideoTracker(model, FirstExample());
                Assert.False(tracker.Propagates);
                Assert.True(Samples.IoU(tracker.Track(Frame(1).Image).Result.ClassMask(0), Frame(1).Truth) > 0.5);
            }
            // A manifest that names a tracker graph the bundle does not hold is refused, naming the file.
            EditManifest(bundle, graphs => graphs[BundleInfo.TrackerRole] = "gone.onnx");
            var error = Assert.Throws<InvalidDataException>(() => ExemplarModel.Load(bundle));
            Assert.Contains($"{bundle}: the 'tracker' graph gone.onnx is missing", error.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void EditManifest(string bundle, Action<System.Text.Json.Nodes.JsonObject> editGraphs)
    {
        using var zip = System.IO.Compression.ZipFile.Open(bundle, System.IO.Compression.ZipArchiveMode.Update);
        var entry = zip.GetEntry("manifest.json")!;
        System.Text.Json.Nodes.JsonNode manifest;
        using (var stream = entry.Open()) manifest = System.Text.Json.Nodes.JsonNode.Parse(stream)!;
        entry.Delete();
        editGraphs(manifest["graphs"]!.AsObject());
        using var writer = new StreamWriter(zip.CreateEntry("manifest.json").Open());
        writer.Write(manifest.ToJsonString());
    }

    [Fact]
    public void TheMemoryHoldsAtMostTheConfiguredFrames()
    {
        using var model = ExemplarModel.Load();
        using var tracker = new VideoTracker(model, FirstExample(), new TrackerOptions { MemoryFrames = 2, MinConfidence = 0 });
        var sizes = Enumerable.Range(1, 4).Select(t => tracker.Track(Frame(t).Image)).Select(f => f.MemorySize).ToArray();
        Assert.Equal([0, 1, 2, 2], sizes);
        Assert.Equal(2, tracker.MemorySize);
    }

    [Fact]
    public void BadOptionsAndFramesOfAnotherSizeAreRefusedByName()
    {
        using var model = ExemplarModel.Load();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new VideoTracker(model, FirstExample(), new TrackerOptions { MemoryFrames = -1 }));
        Assert.Contains("MemoryFrames", e.Message);
        Assert.Contains("OutsideWeight", Assert.Throws<ArgumentOutOfRangeException>(() => new TrackerOptions { OutsideWeight = 2 }.Validate()).Message);
        Assert.Contains("UncertainBand", Assert.Throws<ArgumentOutOfRangeException>(() => new TrackerOptions { UncertainBand = 0.5f }.Validate()).Message);
        Assert.Contains("BoundaryBand", Assert.Throws<ArgumentOutOfRangeException>(() => new TrackerOptions { BoundaryBand = -1 }.Validate()).Message);
        using var tracker = new VideoTracker(model, FirstExample());
        var small = ImageInput.FromPixels(new byte[100 * 80 * 3], 100, 80, PixelFormat.Rgb24, name: "small.png");
        var error = Assert.Throws<ArgumentException>(() => tracker.Track(small));
        Assert.StartsWith("small.png: the frame is 100x80", error.Message);
    }

    /// <summary>
    /// A clip of two objects: a red disc moving right from x = 70 and a blue one moving left from x = 250, 6 pixels per
    /// frame each. Frame t's pixels and each object's mask.
    /// </summary>
    private static (ImageInput Image, bool[] Red, bool[] Blue) TwoObjectFrame(int t)
    {
        var (image, masks) = Discs($"two{t}", (70 + 6 * t, Red), (250 - 6 * t, Blue));
        return (image, masks[0], masks[1]);
    }

    [Fact]
    public void TwoObjectsAreTrackedEachWithItsOwnLabel()
    {
        using var model = ExemplarModel.Load();
        var (image, red, blue) = TwoObjectFrame(0);
        ImageInput Gray(bool[] mask, string name) => ImageInput.FromPixels(mask.Select(m => m ? (byte)255 : (byte)0).ToArray(), Width, Height, PixelFormat.Gray8, name: name);
        var first = new Example(image, [new ClassMask("red", Gray(red, "red.png")), new ClassMask("blue", Gray(blue, "blue.png"))]);
        using var tracker = new VideoTracker(model, first, new TrackerOptions { MemoryFrames = 2 });
        Assert.Equal(["red", "blue"], tracker.Classes);
        for (int t = 1; t <= 8; t++)
        {
            var frame = TwoObjectFrame(t);
            var result = tracker.Track(frame.Image).Result;
            double redIoU = Samples.IoU(result.ClassMask(0), frame.Red), blueIoU = Samples.IoU(result.ClassMask(1), frame.Blue);
            Assert.True(redIoU > 0.75 && blueIoU > 0.75, $"frame {t}: red IoU {redIoU:F3}, blue IoU {blueIoU:F3}");
            Assert.Equal(2, result.Objects.Count(o => o.Area > 500));
        }
    }

    [SharedFact("data/davis2016/JPEGImages/480p/dog/00009.jpg", "data/davis2016/JPEGImages/480p/camel/00009.jpg")]
    public void TracksTwoDavisValSequencesOverTenFrames()
    {
        using var model = ExemplarModel.Load();
        foreach (var sequence in new[] { "dog", "camel" })
        {
            string Frame(int i, string kind, string ext) => SharedFolder.PathOf($"data/davis2016/{kind}/480p/{sequence}/{i:D5}.{ext}");
            using var tracker = new VideoTracker(model, new Example(Frame(0, "JPEGImages", "jpg"), Frame(0, "Annotations", "png")));
            double sum = 0;
            for (int i = 1; i < 10; i++)
            {
                var tracked = tracker.Track(Frame(i, "JPEGImages", "jpg"));
                sum += Samples.IoU(tracked.Result.ClassMask(0), Truth(Frame(i, "Annotations", "png")));
            }
            double j = sum / 9;
            Assert.True(j > 0.65, $"{sequence}: J {j:F3} over frames 1..9");
        }
    }

    private static bool[] Truth(string path)
    {
        using var bitmap = SKBitmap.Decode(path).Copy(SKColorType.Rgba8888);
        return [.. bitmap.Pixels.Select(p => p.Red >= 128)];
    }
}
