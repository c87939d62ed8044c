using System.Text.Json.Serialization;
using Exemplar.Fuzzing;
using Exemplar.InContext;
using Exemplar.Torch;
using Exemplar.Torch.Serialization;
using Exemplar.Vision;
using Exemplar.Vision.IO;

namespace Exemplar.Benchmarks;

/// <summary>What a fuzz run found for one kind of file.</summary>
/// <param name="Kind">images, checkpoints or prompts.</param>
/// <param name="Files">Seed files.</param>
/// <param name="Cases">Mutants tried.</param>
/// <param name="Accepted">Mutants that loaded.</param>
/// <param name="Rejected">Mutants refused with the loader's format exception, naming the file.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="MaxCaseMegabytes">The most managed memory one case allocated.</param>
/// <param name="PeakWorkingSetMegabytes">The process's largest working set seen.</param>
/// <param name="Failures">Everything else (each a line naming the seed, the case and the exception).</param>
public sealed record FuzzResult(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("files")] int Files,
    [property: JsonPropertyName("cases")] int Cases,
    [property: JsonPropertyName("accepted")] int Accepted,
    [property: JsonPropertyName("rejected")] int Rejected,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("max_case_mb")] double MaxCaseMegabytes,
    [property: JsonPropertyName("peak_working_set_mb")] double PeakWorkingSetMegabytes,
    [property: JsonPropertyName("failures")] IReadOnlyList<string> Failures);

/// <summary>
/// The long version of the fuzz tests: seeded mutants (the tests' mutator) of images, checkpoints and prompt files,
/// generated here and taken from the corpus folders given, loaded in-process; any outcome but a load or the loader's
/// format exception naming the file is a failure.
/// </summary>
public static class FuzzBenchmarks
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png"];
    private static readonly string[] CheckpointExtensions = [".safetensors", ".pth", ".pt"];
    private const long MaxSeedBytes = 8 << 20;

    /// <summary>About <paramref name="cases"/> mutants in all, shared evenly between the kinds of file and their seeds.</summary>
    public static IReadOnlyList<FuzzResult> Run(int cases, int seed, IReadOnlyList<string> corpusFolders, Action<string>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cases, 1);
        string work = Directory.CreateTempSubdirectory("exemplar-fuzz-").FullName;
        try
        {
            var (images, checkpoints, prompts) = Seeds(corpusFolders, work);
            var imageOptions = new ImageReadOptions(MaxPixels: 4_000_000);
            var kinds = new (string Kind, List<FuzzSeed> Seeds, FuzzRunner Runner)[]
            {
                ("images", images, new FuzzRunner((bytes, source) =>
                {
                    using var scope = DisposeScope.Begin();
                    ImageReader.Decode(bytes, source, imageOptions).Dispose();
                }, e => e is ImageFormatException)),
                ("checkpoints", checkpoints, new FuzzRunner((bytes, path) =>
                {
                    File.WriteAllBytes(path, bytes);
                    using var scope = DisposeScope.Begin();
                    Checkpoints.LoadStateDict(path);
                }, e => e is CheckpointFormatException)),
                ("prompts", prompts, new FuzzRunner((bytes, path) =>
                {
                    File.WriteAllBytes(path, bytes);
                    PromptFeatures.Load(path).Dispose();
                }, e => e is CheckpointFormatException)),
            };
            var results = new List<FuzzResult>();
            foreach (var (kind, seeds, runner) in kinds)
            {
                int perSeed = Math.Max(1, (cases / kinds.Length + seeds.Count - 1) / seeds.Count);
                progress?.Invoke($"{kind}: {perSeed} mutants of each of {seeds.Count} file(s)");
                var r = runner.Run(seeds, perSeed, seed, work, TimeSpan.FromHours(1));
                results.Add(new FuzzResult(kind, seeds.Count, r.Cases, r.Accepted, r.Rejected, r.Elapsed.TotalSeconds,
                    r.MaxCaseAllocatedBytes / 1048576.0, r.PeakWorkingSetBytes / 1048576.0, r.Failures));
            }
            return results;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Generated seeds of every kind, plus the corpus folders' files (up to 8 MB each) by extension.</summary>
    private static (List<FuzzSeed> Images, List<FuzzSeed> Checkpoints, List<FuzzSeed> Prompts) Seeds(IReadOnlyList<string> folders, string work)
    {
        var images = new List<FuzzSeed>();
        var checkpoints = new List<FuzzSeed>();
        var prompts = new List<FuzzSeed>();
        using (var scope = DisposeScope.Begin())
        {
            using var g = new Generator(0);
            var rgb = Tensor.Randint(0, 256, [3, 24, 32], g).To(DType.UInt8);
            images.Add(new("rgb8.png", ImageWriter.EncodePng(rgb)));
            images.Add(new("gray16.png", ImageWriter.EncodePng(Tensor.Randint(0, 65536, [1, 16, 16], g).To(DType.Int32))));
            images.Add(new("indexed.png", ImageWriter.EncodeIndexedPng(Tensor.Randint(0, 21, [20, 20], g).To(DType.UInt8))));
            images.Add(new("rgb.jpg", ImageWriter.EncodeJpeg(rgb)));
            images.Add(new("gray.jpg", ImageWriter.EncodeJpeg(rgb.Select(0, 1).Unsqueeze(0).Contiguous())));

            string safetensors = Path.Combine(work, "seed.safetensors"), prompt = Path.Combine(work, "seed.exemplar");
            SafeTensors.Save(safetensors, new Dictionary<string, Tensor> { ["w"] = Tensor.Randn([4, 3], g), ["ids"] = Tensor.Arange(5) },
                new Dictionary<string, string> { ["note"] = "fuzz seed" });
            checkpoints.Add(new("seed.safetensors", File.ReadAllBytes(safetensors)));
            var level = new PromptLevel(Tensor.Randn([2, 8, 4, 4], g).DetachFromScope(), Tensor.Rand([2, 1, 4, 4], g).DetachFromScope(), Tensor.Rand([2, 1, 4, 4], g).DetachFromScope());
            using (var features = new PromptFeatures("mobilenetv2", "0123456789abcdef", 224, [2], ["object"], [level])) features.Save(prompt);
            prompts.Add(new("seed.exemplar", File.ReadAllBytes(prompt)));
        }
        foreach (var file in folders.SelectMany(f => Directory.EnumerateFiles(f, "*", SearchOption.AllDirectories)).Order(StringComparer.Ordinal))
        {
            if (new FileInfo(file).Length > MaxSeedBytes) continue;
            string ext = Path.GetExtension(file).ToLowerInvariant();
            var list = ImageExtensions.Contains(ext) ? images : CheckpointExtensions.Contains(ext) ? checkpoints : ext == ".exemplar" ? prompts : null;
            list?.Add(new(Path.GetFileName(file), File.ReadAllBytes(file)));
        }
        return (images, checkpoints, prompts);
    }
}
