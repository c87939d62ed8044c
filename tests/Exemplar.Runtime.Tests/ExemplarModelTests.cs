using System.Text.RegularExpressions;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Exemplar.Runtime.Tests;

/// <summary>The runtime with the default bundle, on the repository's samples (no ../shared, no libtorch).</summary>
public sealed class ExemplarModelTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("exemplar-runtime-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void TheReadmeSnippetRunsAsWritten()
    {
        // The README's block and this one must be the same text: what users copy is what is tested.
        string readme = File.ReadAllText(Path.Combine(SharedFolder.RepositoryRoot, "README.md"));
        string source = File.ReadAllText(Path.Combine(SharedFolder.RepositoryRoot, "tests", "Exemplar.Runtime.Tests", "ExemplarModelTests.cs"));
        string documented = Regex.Match(readme, "```csharp\n// Exemplar.Runtime\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        string tested = Regex.Match(source, "// README begin\n(.*?)        // README end", RegexOptions.Singleline).Groups[1].Value;
        Assert.NotEmpty(documented);
        Assert.Equal(Normalize(documented), Normalize(tested));

        string previous = Environment.CurrentDirectory;
        Directory.CreateSymbolicLink(Path.Combine(_temp, "samples"), Path.Combine(SharedFolder.RepositoryRoot, "samples"));
        Environment.CurrentDirectory = _temp;
        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        try
        {
            // README begin
        using var model = ExemplarModel.Load();                     // the default bundle, or a path to a .exemplar file
        using var prompt = model.Encode([new Example("samples/perseg/cat_00.jpg", "samples/perseg/cat_00.png")]);
        prompt.Save("cat.prompt");
        var result = model.Segment(prompt, "samples/perseg/cat_01.jpg", new SegmentOptions { Threshold = 0.5f });
        result.SaveMask("cat_01_mask.png"); result.SaveOverlay("cat_01_overlay.png");
        foreach (var o in result.Objects) Console.WriteLine($"{o.Class} {o.Score:P0} {o.Box} {o.Area}");
        // README end
            Assert.True(Samples.IoU(result.ClassMask(0), Samples.Truth("cat_01.png")) > 0.8);
        }
        finally
        {
            Console.SetOut(console);
            Environment.CurrentDirectory = previous;
        }
        foreach (var file in new[] { "cat.prompt", "cat_01_mask.png", "cat_01_overlay.png" }) Assert.True(File.Exists(Path.Combine(_temp, file)), file);
        Assert.StartsWith("object ", output.ToString());
    }

    private static string Normalize(string code) => string.Join("\n", code.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    [Fact]
    public void FindsTheSampleObjectsFromOneExampleEach()
    {
        using var model = ExemplarModel.Load();
        foreach (var name in new[] { "cat", "duck_toy" })
        {
            using var prompt = model.Encode([new Example(Samples.PathOf($"{name}_00.jpg"), Samples.PathOf($"{name}_00.png"), name)]);
            foreach (var target in new[] { "01", "02" })
            {
                var result = model.Segment(prompt, Samples.PathOf($"{name}_{target}.jpg"));
                double iou = Samples.IoU(result.ClassMask(0), Samples.Truth($"{name}_{target}.png"));
                Assert.True(iou > 0.75, $"{name}_{target}: IoU {iou:F3}");
                var largest = result.Objects[0];
                Assert.Equal(name, largest.Class);
                Assert.InRange(largest.Score, 0.5f, 1f);
                // The run lengths cover the image, and the runs inside add up to the area.
                Assert.Equal(result.Width * result.Height, largest.Rle.Sum());
                Assert.Equal(largest.Area, largest.Rle.Where((_, i) => i % 2 == 1).Sum());
            }
        }
    }

    [Fact]
    public void NothingOfLibtorchIsLoaded()
    {
        using var model = ExemplarModel.Load();
        using var prompt = model.Encode([new Example(Samples.PathOf("duck_toy_00.jpg"), Samples.PathOf("duck_toy_00.png"))]);
        _ = model.Segment(prompt, Samples.PathOf("duck_toy_01.jpg"));
        string maps = File.ReadAllText("/proc/self/maps");
        Assert.DoesNotContain("libexemplar_native", maps);
        Assert.DoesNotContain("libtorch", maps);
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name is "Exemplar.Torch" or "Exemplar.Vision" or "Exemplar.Models");
    }

    [Fact]
    public void PromptsRoundTripAndDamageIsRefusedNamingTheFile()
    {
        using var model = ExemplarModel.Load();
        using var prompt = model.Encode([
            new Example(Samples.PathOf("cat_00.jpg"), Samples.PathOf("cat_00.png"), "cat"),
            new Example(Samples.PathOf("duck_toy_00.jpg"), Samples.PathOf("duck_toy_00.png"), "duck")]);
        Assert.Equal(["cat", "duck"], prompt.Classes);
        string path = Path.Combine(_temp, "two.prompt");
        prompt.Save(path);
        Assert.Throws<IOException>(() => prompt.Save(path));
        using var loaded = Prompt.Load(path);
        var target = Samples.PathOf("cat_02.jpg");
        Assert.Equal(model.Segment(prompt, target).Labels, model.Segment(loaded, target).Labels);

        var bytes = File.ReadAllBytes(path);
        var flipped = (byte[])bytes.Clone();
        flipped[^100] ^= 0x40;
        File.WriteAllBytes(path, flipped);
        Assert.Contains($"{path}: checksum mismatch", Assert.Throws<InvalidDataException>(() => Prompt.Load(path)).Message);
        File.WriteAllBytes(path, bytes[..^1]);
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => Prompt.Load(path)).Message);
        File.WriteAllBytes(path, bytes[..20]);
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => Prompt.Load(path)).Message);
        File.WriteAllText(path, "not a prompt");
        Assert.Contains("not an Exemplar.Runtime prompt file", Assert.Throws<InvalidDataException>(() => Prompt.Load(path)).Message);
    }

    [Fact]
    public void RawPixelBuffersGiveTheSameResultAsTheFile()
    {
        using var model = ExemplarModel.Load();
        using var prompt = model.Encode([new Example(Samples.PathOf("cat_00.jpg"), Samples.PathOf("cat_00.png"))]);
        using var bitmap = SkiaSharp.SKBitmap.Decode(Samples.PathOf("cat_02.jpg")).Copy(SkiaSharp.SKColorType.Rgba8888);
        var rgba = bitmap.Bytes;
        int w = bitmap.Width, h = bitmap.Height;
        var bgr = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++) (bgr[3 * i], bgr[3 * i + 1], bgr[3 * i + 2]) = (rgba[4 * i + 2], rgba[4 * i + 1], rgba[4 * i]);
        var fromFile = model.Segment(prompt, Samples.PathOf("cat_02.jpg")).Labels;
        Assert.Equal(fromFile, model.Segment(prompt, ImageInput.FromPixels(rgba, w, h, PixelFormat.Rgba32, bitmap.RowBytes)).Labels);
        Assert.Equal(fromFile, model.Segment(prompt, ImageInput.FromPixels(bgr, w, h, PixelFormat.Bgr24)).Labels);
        using var stream = File.OpenRead(Samples.PathOf("cat_02.jpg"));
        Assert.Equal(fromFile, model.Segment(prompt, ImageInput.FromStream(stream)).Labels);
        Assert.Throws<ArgumentException>(() => ImageInput.FromPixels(bgr, w, h + 1, PixelFormat.Bgr24));
    }

    [Fact]
    public async Task ConcurrentAndBatchedCallsAgreeWithSingleOnes()
    {
        using var model = ExemplarModel.Load();
        using var prompt = model.Encode([new Example(Samples.PathOf("duck_toy_00.jpg"), Samples.PathOf("duck_toy_00.png"))]);
        string[] targets = [Samples.PathOf("duck_toy_01.jpg"), Samples.PathOf("duck_toy_02.jpg")];
        var single = targets.Select(t => model.Segment(prompt, t).Labels).ToList();
        var parallel = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => model.Segment(prompt, targets[i % 2]).Labels)));
        for (int i = 0; i < 4; i++) Assert.Equal(single[i % 2], parallel[i]);
        var reported = new List<int>();
        var batched = new List<byte[]>();
        await foreach (var r in model.SegmentAsync(prompt, targets.Select(t => (ImageInput)t), progress: new SynchronousProgress(reported))) batched.Add(r.Labels);
        Assert.Equal(single, batched);
        Assert.Equal([1, 2], reported);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => { await foreach (var _ in model.SegmentAsync(prompt, targets.Select(t => (ImageInput)t), cancellationToken: cancelled.Token)) { } });
    }

    [Fact]
    public void BadInputsGiveClearErrors()
    {
        string notBundle = Path.Combine(_temp, "x.exemplar");
        File.WriteAllText(notBundle, "hello");
        Assert.StartsWith(notBundle, Assert.Throws<InvalidDataException>(() => ExemplarModel.Load(notBundle)).Message);
        Assert.Contains("no such model bundle", Assert.Throws<FileNotFoundException>(() => ExemplarModel.Load(Path.Combine(_temp, "missing.exemplar"))).Message);

        using var model = ExemplarModel.Load();
        string missing = Path.Combine(_temp, "missing.jpg");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => model.Encode([new Example(missing, Samples.PathOf("cat_00.png"))])).Message);
        string corrupt = Path.Combine(_temp, "corrupt.jpg");
        File.WriteAllBytes(corrupt, [0xFF, 0xD8, 0xFF, 0x00, 0x12]);
        Assert.StartsWith(corrupt, Assert.Throws<InvalidDataException>(() => model.Encode([new Example(corrupt, Samples.PathOf("cat_00.png"))])).Message);
        var wrongSize = Assert.Throws<ArgumentException>(() => model.Encode([new Example(Samples.PathOf("cat_00.jpg"), Samples.PathOf("duck_toy_00.png"))]));
        Assert.Contains("the mask is 1280x1280 but the image", wrongSize.Message);
        var black = ImageInput.FromPixels(new byte[64 * 64], 64, 64, PixelFormat.Gray8, name: "black.png");
        var gray = ImageInput.FromPixels(new byte[64 * 64], 64, 64, PixelFormat.Gray8, name: "image.png");
        Assert.Contains("class 'object' has an empty mask (every pixel black) in every example (black.png)", Assert.Throws<ArgumentException>(() => model.Encode([new Example(gray, black)])).Message);
        Assert.Contains("cuda", Assert.Throws<NotSupportedException>(() => ExemplarModel.Load(options: RuntimeOptions.ForDevice("cuda:0"))).Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<ArgumentException>(() => RuntimeOptions.ForDevice("tpu"));
    }

    [Fact]
    public void DamagedManifestsAndForeignPromptsAreRefusedNamingTheFile()
    {
        string bundle = Path.Combine(_temp, "edited.exemplar");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "models", ExemplarModel.DefaultBundleName), bundle);
        using (var zip = System.IO.Compression.ZipFile.Open(bundle, System.IO.Compression.ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("manifest.json")!;
            string manifest;
            using (var reader = new StreamReader(entry.Open())) manifest = reader.ReadToEnd();
            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("manifest.json").Open());
            writer.Write(Regex.Replace(manifest, "\"levels\": \\[[^\\]]*\\]", "\"levels\": null"));
        }
        Assert.Contains($"{bundle}: levels and level_channels are missing", Assert.Throws<InvalidDataException>(() => ExemplarModel.Load(bundle)).Message);

        using var model = ExemplarModel.Load();
        using var prompt = model.Encode([new Example(Samples.PathOf("cat_00.jpg"), Samples.PathOf("cat_00.png"))]);
        string path = Path.Combine(_temp, "cat.prompt");
        prompt.Save(path);
        // A header edit (the class name) is caught by the checksum, which covers the header too.
        var bytes = File.ReadAllBytes(path);
        int at = bytes.AsSpan().IndexOf("\"object\""u8);
        bytes[at + 1] = (byte)'O';
        File.WriteAllBytes(path, bytes);
        Assert.Contains("checksum mismatch", Assert.Throws<InvalidDataException>(() => Prompt.Load(path)).Message);
    }

    [Fact]
    public void StreamsStayOpenAndMasksOfOneClassAreUnited()
    {
        using var model = ExemplarModel.Load();
        using var stream = File.OpenRead(Samples.PathOf("cat_00.jpg"));
        using var prompt = model.Encode([new Example(ImageInput.FromStream(stream), [
            new ClassMask("cat", Samples.PathOf("cat_00.png")),
            new ClassMask("cat", ImageInput.FromPixels(new byte[1282 * 1282], 1282, 1282, PixelFormat.Gray8, name: "empty.png"))])]);
        Assert.True(stream.CanRead);                                          // the caller's stream is not closed
        // The empty second mask of the same class adds nothing: the prompt equals the one-mask prompt.
        using var single = model.Encode([new Example(Samples.PathOf("cat_00.jpg"), Samples.PathOf("cat_00.png"), "cat")]);
        var target = Samples.PathOf("cat_01.jpg");
        Assert.Equal(model.Segment(single, target).Labels, model.Segment(prompt, target).Labels);
        var tooMany = Enumerable.Range(0, 255).Select(i => new ClassMask($"c{i}", Samples.PathOf("cat_00.png"))).ToList();
        Assert.Contains("at most 254", Assert.Throws<ArgumentException>(() => model.Encode([new Example(Samples.PathOf("cat_00.jpg"), tooMany)])).Message);
        Assert.Contains("threshold", Assert.Throws<ArgumentException>(() => model.Segment(prompt, target, new SegmentOptions { Threshold = float.NaN })).Message);
    }

    private sealed class SynchronousProgress(List<int> values) : IProgress<int>
    {
        public void Report(int value) => values.Add(value);
    }
}
