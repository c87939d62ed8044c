using Exemplar.Fuzzing;
using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Tests.Support;
using Xunit.Abstractions;

namespace Exemplar.Vision.Tests.IO;

/// <summary>
/// Feeds thousands of damaged copies of JPEGs and PNGs (generated here, plus real ones from ../shared when it is
/// there) to the decoders in-process, through the mutator that <c>exemplar bench fuzz</c> uses: each must give a valid
/// image or raise <see cref="ImageFormatException"/> naming it; no other exception, no crash, no hang, bounded memory.
/// </summary>
public class DecoderFuzzTests(ITestOutputHelper output)
{
    private const int MutantsPerFile = 260;
    private static readonly string[] SharedFiles =
    [
        "data/samples/seggpt/hmbb_1.jpg",
        "data/samples/fss1000/eiffel_tower/1.jpg",
        "data/davis2016/JPEGImages/480p/dog/00000.jpg",
        "data/samples/seggpt/hmbb_1_target.png",
        "data/samples/fss1000/eiffel_tower/1.png",
        "data/davis2016/Annotations/480p/dog/00000.png",
        "data/drive/training/images/21.png",
    ];

    // Small enough that a mutated header cannot make a mutant expensive, large enough for every corpus file.
    private static readonly ImageReadOptions[] Options =
    [
        new(MaxPixels: 1_000_000),
        new(Channels: ImageChannels.Gray, MaxPixels: 1_000_000),
        new(Channels: ImageChannels.Rgba, Samples: SampleValues.Raw, MaxPixels: 1_000_000),
        new(Palette: PaletteMode.Indices, AllowJpegWarnings: true, MaxPixels: 1_000_000),
    ];

    [Fact]
    public void MutatedFilesGiveImagesOrImageFormatExceptions()
    {
        var corpus = GeneratedCorpus().ToList();
        if (SharedFolder.Root is not null)
        {
            corpus.AddRange(SharedFiles.Select(SharedFolder.PathOf).Where(File.Exists).Select(f => new FuzzSeed(Path.GetFileName(f), File.ReadAllBytes(f))));
        }
        else
        {
            output.WriteLine("../shared is absent: generated files only");
        }
        var pick = new Random(7);
        var runner = new FuzzRunner((bytes, source) => Decode(bytes, source, Options[pick.Next(Options.Length)]), e => e is ImageFormatException);
        using var folder = new Synthetic.TempFolder();
        var report = runner.Run(corpus, MutantsPerFile, 20240611, folder.Root, TimeSpan.FromSeconds(120));
        output.WriteLine($"{report.Cases} mutants of {corpus.Count} files in {report.Elapsed.TotalSeconds:F1} s: {report.Accepted} decoded, "
            + $"{report.Rejected} rejected; at most {report.MaxCaseAllocatedBytes >> 20} MB allocated by one ({report.MaxCaseName}), peak working set {report.PeakWorkingSetBytes >> 20} MB");
        Assert.Empty(report.Failures);
        Assert.True(report.Cases >= 2000, $"only {report.Cases} mutants");
        Assert.True(report.Rejected > report.Cases / 4, $"only {report.Rejected} of {report.Cases} mutants were rejected: the mutations are too gentle");
        Assert.True(report.Accepted > 0, "no mutant decoded: the mutations never leave a readable file");
        Assert.True(report.MaxCaseAllocatedBytes < 64 << 20, $"{report.MaxCaseName} allocated {report.MaxCaseAllocatedBytes} bytes");
    }

    private static void Decode(byte[] mutant, string source, ImageReadOptions options)
    {
        var info = ImageReader.ReadInfo(mutant, source, options.ApplyExifOrientation);
        using var scope = DisposeScope.Begin();
        using var image = ImageReader.Decode(mutant, source, options);
        var shape = image.Pixels.Shape;
        if (shape.Length != 3 || shape[0] is < 1 or > 4 || shape[1] != info.Height || shape[2] != info.Width)
        {
            throw new InvalidOperationException($"shape [{string.Join(", ", shape)}] disagrees with the header {info}");
        }
    }

    /// <summary>
    /// Every kind of file the decoders handle: 8-bit RGB and 16-bit gray PNG (libspng's writer), sub-byte palette with
    /// tRNS, 16-bit RGBA, Adam7 interlacing, colour JPEG (4:2:0) and gray JPEG with EXIF orientation.
    /// </summary>
    private static IEnumerable<FuzzSeed> GeneratedCorpus()
    {
        byte[] plte = [0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255];
        var rows = Enumerable.Range(0, 24).Select(y => Enumerable.Range(0, 6).Select(x => (byte)(x * 41 + y * 13)).ToArray()).ToList();
        yield return new("palette2.png", RawPng.Build(24, 24, 2, 3, rows, plte, trns: [0, 128]));
        var wide = Enumerable.Range(0, 12).Select(y => Enumerable.Range(0, 12 * 8).Select(x => (byte)(x * 7 + y)).ToArray()).ToList();
        yield return new("rgba16.png", RawPng.Build(12, 12, 16, 6, wide));
        var pixels = Enumerable.Range(0, 30 * 20 * 3).Select(i => (byte)(i * 31 % 256)).ToArray();
        yield return new("interlaced.png", RawPng.BuildInterlaced(30, 20, 2, 3, pixels));
        using var scope = DisposeScope.Begin();
        yield return new("rgb8.png", ImageWriter.EncodePng(Synthetic.Pattern(3, 20, 28)));
        yield return new("gray16.png", ImageWriter.EncodePng(Synthetic.Pattern(1, 16, 16).To(DType.Int32) * 257));
        yield return new("rgb.jpg", ImageWriter.EncodeJpeg(Synthetic.Smooth(3, 40, 56)));
        yield return new("gray-exif.jpg", JpegExif.WithOrientation(ImageWriter.EncodeJpeg(Synthetic.Smooth(1, 48, 40)), 6));
    }
}
