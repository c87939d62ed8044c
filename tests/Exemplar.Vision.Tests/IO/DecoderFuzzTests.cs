using System.Buffers.Binary;
using System.Diagnostics;
using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Tests.Support;
using Xunit.Abstractions;

namespace Exemplar.Vision.Tests.IO;

/// <summary>
/// Feeds thousands of damaged copies of real JPEGs and PNGs to the decoders in-process: each must give a valid image
/// or raise <see cref="ImageFormatException"/>; no other exception, no crash, no hang.
/// </summary>
public class DecoderFuzzTests(ITestOutputHelper output)
{
    private const int MutantsPerFile = 220;
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

    private volatile string _current = "";

    [SharedFact("data/samples/seggpt/hmbb_1.jpg", "data/samples/fss1000/eiffel_tower/1.jpg", "data/davis2016/JPEGImages/480p/dog/00000.jpg",
        "data/samples/seggpt/hmbb_1_target.png", "data/samples/fss1000/eiffel_tower/1.png", "data/davis2016/Annotations/480p/dog/00000.png",
        "data/drive/training/images/21.png")]
    public void MutatedFilesGiveImagesOrImageFormatExceptions()
    {
        var corpus = SharedFiles.Select(f => (Name: Path.GetFileName(f), Bytes: File.ReadAllBytes(SharedFolder.PathOf(f)))).ToList();
        corpus.AddRange(GeneratedCorpus());
        var work = Task.Run(() => Fuzz(corpus));
        if (!work.Wait(TimeSpan.FromSeconds(240))) Assert.Fail($"the decoder hung (or crawled) on {_current}");
        var (total, valid, rejected, failures, elapsed) = work.Result;
        output.WriteLine($"{total} mutants in {elapsed.TotalSeconds:F1} s: {valid} decoded, {rejected} rejected with ImageFormatException");
        Assert.Empty(failures);
        Assert.True(total >= 2000, $"only {total} mutants");
        Assert.True(rejected > total / 4, $"only {rejected} of {total} mutants were rejected: the mutations are too gentle");
        Assert.True(valid > 0, "no mutant decoded: the mutations never leave a readable file");
    }

    private (int Total, int Valid, int Rejected, List<string> Failures, TimeSpan Elapsed) Fuzz(List<(string Name, byte[] Bytes)> corpus)
    {
        var random = new Random(20240611);
        int total = 0, valid = 0, rejected = 0;
        var failures = new List<string>();
        long start = Stopwatch.GetTimestamp();
        foreach (var (name, original) in corpus)
        {
            for (int i = 0; i < MutantsPerFile; i++)
            {
                var (mutant, how) = Mutations.Apply(original, random);
                var options = Options[random.Next(Options.Length)];
                _current = $"{name} #{i} ({how})";
                total++;
                try
                {
                    var info = ImageReader.ReadInfo(mutant, _current, options.ApplyExifOrientation);
                    using var scope = DisposeScope.Begin();
                    using var image = ImageReader.Decode(mutant, _current, options);
                    var shape = image.Pixels.Shape;
                    if (shape.Length != 3 || shape[0] is < 1 or > 4 || shape[1] != info.Height || shape[2] != info.Width)
                    {
                        failures.Add($"{_current}: shape [{string.Join(", ", shape)}] disagrees with the header {info}");
                    }
                    valid++;
                }
                catch (ImageFormatException e)
                {
                    if (!e.Message.StartsWith(_current, StringComparison.Ordinal)) failures.Add($"{_current}: message does not name the source: {e.Message}");
                    rejected++;
                }
                catch (Exception e)
                {
                    failures.Add($"{_current}: {e.GetType().Name}: {e.Message}");
                }
                if (failures.Count > 20) return (total, valid, rejected, failures, Stopwatch.GetElapsedTime(start));
            }
        }
        return (total, valid, rejected, failures, Stopwatch.GetElapsedTime(start));
    }

    /// <summary>Files exercising what the shared ones lack: sub-byte palette, 16-bit RGBA, interlacing, tRNS, EXIF, gray JPEG.</summary>
    private static IEnumerable<(string, byte[])> GeneratedCorpus()
    {
        byte[] plte = [0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255];
        var rows = Enumerable.Range(0, 24).Select(y => Enumerable.Range(0, 6).Select(x => (byte)(x * 41 + y * 13)).ToArray()).ToList();
        yield return ("palette2.png", RawPng.Build(24, 24, 2, 3, rows, plte, trns: [0, 128]));
        var wide = Enumerable.Range(0, 12).Select(y => Enumerable.Range(0, 12 * 8).Select(x => (byte)(x * 7 + y)).ToArray()).ToList();
        yield return ("rgba16.png", RawPng.Build(12, 12, 16, 6, wide));
        var pixels = Enumerable.Range(0, 30 * 20 * 3).Select(i => (byte)(i * 31 % 256)).ToArray();
        yield return ("interlaced.png", RawPng.BuildInterlaced(30, 20, 2, 3, pixels));
        using var gray = Synthetic.Smooth(1, 48, 40);
        yield return ("gray-exif.jpg", JpegExif.WithOrientation(ImageWriter.EncodeJpeg(gray), 6));
    }

    /// <summary>The mutations: bit flips, truncation, byte overwrites, PNG header and chunk edits, JPEG marker edits.</summary>
    private static class Mutations
    {
        internal static (byte[] Bytes, string How) Apply(byte[] original, Random random)
        {
            bool png = original[0] == 0x89;
            int kind = random.Next(7);
            return kind switch
            {
                0 => FlipBits(original, random),
                1 => Truncate(original, random),
                2 => OverwriteBytes(original, random),
                3 => Splice(original, random),
                _ => png ? EditPng(original, random) : EditJpeg(original, random),
            };
        }

        private static int Position(byte[] data, Random random) =>
            random.Next(2) == 0 ? random.Next(Math.Min(data.Length, 512)) : random.Next(data.Length);

        private static (byte[], string) FlipBits(byte[] original, Random random)
        {
            var data = (byte[])original.Clone();
            int flips = random.Next(1, 9);
            for (int i = 0; i < flips; i++) data[Position(data, random)] ^= (byte)(1 << random.Next(8));
            return (data, $"{flips} bit flips");
        }

        private static (byte[], string) Truncate(byte[] original, Random random)
        {
            int length = random.Next(2) == 0 ? random.Next(Math.Min(original.Length, 600)) : random.Next(original.Length);
            return (original[..length], $"truncated to {length}");
        }

        private static (byte[], string) OverwriteBytes(byte[] original, Random random)
        {
            var data = (byte[])original.Clone();
            int at = Position(data, random), count = random.Next(1, 16);
            byte value = (byte)(random.Next(3) switch { 0 => 0, 1 => 0xFF, _ => random.Next(256) });
            for (int i = at; i < Math.Min(data.Length, at + count); i++) data[i] = value;
            return (data, $"{count} bytes at {at} set to {value}");
        }

        private static (byte[], string) Splice(byte[] original, Random random)
        {
            int from = random.Next(original.Length), length = random.Next(1, 64), to = random.Next(original.Length);
            var piece = original.AsSpan(from, Math.Min(length, original.Length - from));
            return ([.. original.AsSpan(0, to), .. piece, .. original.AsSpan(to)], $"{piece.Length} bytes from {from} inserted at {to}");
        }

        private static (byte[], string) EditPng(byte[] original, Random random)
        {
            var data = (byte[])original.Clone();
            bool fixCrc = random.Next(10) < 7;
            string how;
            if (random.Next(2) == 0)
            {
                // IHDR data start at 16: width, height, depth, colour type, compression, filter, interlace.
                int field = random.Next(7);
                switch (field)
                {
                    case 0 or 1:
                        uint size = (uint)(random.Next(3) switch { 0 => random.Next(0, 4), 1 => random.Next(1, 5000), _ => random.Next() });
                        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(16 + 4 * field), size);
                        how = $"IHDR {(field == 0 ? "width" : "height")} = {size}";
                        break;
                    default:
                        int[] candidates = field == 2 ? [0, 1, 2, 3, 4, 5, 8, 16, 32, 255] : [0, 1, 2, 3, 4, 5, 6, 7, 255];
                        data[16 + 6 + field] = (byte)candidates[random.Next(candidates.Length)];
                        how = $"IHDR byte {field + 6} = {data[16 + 6 + field]}";
                        break;
                }
                if (fixCrc) RawPng.FixCrc(data, 8);
            }
            else
            {
                var chunks = ChunkOffsets(data);
                int chunk = chunks[random.Next(chunks.Count)];
                if (random.Next(2) == 0)
                {
                    uint length = (uint)(random.Next(3) switch { 0 => 0, 1 => random.Next(0, 100000), _ => random.Next() | int.MinValue });
                    BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(chunk), length);
                    how = $"chunk at {chunk}: length = {length}";
                }
                else
                {
                    data[chunk + 4 + random.Next(4)] ^= (byte)(1 << random.Next(8));
                    how = $"chunk at {chunk}: type edited";
                    if (fixCrc) RawPng.FixCrc(data, chunk);
                }
            }
            return (data, how + (fixCrc ? " (CRC fixed)" : ""));
        }

        private static List<int> ChunkOffsets(byte[] png)
        {
            var offsets = new List<int>();
            for (long at = 8; at + 12 <= png.Length;)
            {
                offsets.Add((int)at);
                at += 12L + BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan((int)at));
            }
            return offsets.Count > 0 ? offsets : [8];
        }

        private static (byte[], string) EditJpeg(byte[] original, Random random)
        {
            var data = (byte[])original.Clone();
            var markers = new List<int>();
            for (int i = 0; i + 1 < data.Length && markers.Count < 64; i++)
            {
                if (data[i] == 0xFF && data[i + 1] is not (0x00 or 0xFF)) markers.Add(i);
            }
            int at = markers[random.Next(markers.Count)];
            int sof = markers.FirstOrDefault(m => data[m + 1] is 0xC0 or 0xC1 or 0xC2, -1);
            switch (random.Next(5))
            {
                case 0:
                    data[at + 1] = (byte)random.Next(0xC0, 0x100);
                    return (data, $"marker at {at} = FF{data[at + 1]:X2}");
                case 1 when at + 3 < data.Length:
                    BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(at + 2), (ushort)random.Next(65536));
                    return (data, $"segment length at {at} edited");
                case 2 when sof >= 0 && sof + 10 < data.Length:
                    // SOF: length(2) precision(1) height(2) width(2) components(1) then 3 bytes per component.
                    int field = random.Next(5);
                    int offset = sof + 4 + field switch { 0 => 0, 1 => 1, 2 => 3, 3 => 5, _ => 7 };
                    data[offset] = (byte)(random.Next(3) switch { 0 => 0, 1 => 0xFF, _ => random.Next(256) });
                    return (data, $"SOF field {field} = {data[offset]}");
                case 3 when sof >= 0 && sof + 10 < data.Length:
                    data[sof + 10] = (byte)random.Next(256); // first component's sampling factors
                    return (data, $"SOF sampling factors = {data[sof + 10]:X2}");
                default:
                    int eoi = data.AsSpan().LastIndexOf([(byte)0xFF, (byte)0xD9]);
                    return eoi > 0 ? (data[..eoi], "EOI removed") : (data, "unchanged");
            }
        }
    }
}
