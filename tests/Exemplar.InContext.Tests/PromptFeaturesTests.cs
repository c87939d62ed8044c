using System.Buffers.Binary;
using System.Text;
using Exemplar.Torch;
using Exemplar.Torch.Serialization;

namespace Exemplar.InContext.Tests;

/// <summary>Prompt files: round trip, and every kind of damage refused with an error naming the prompt file.</summary>
public sealed class PromptFeaturesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("exemplar-prompts-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// Two levels (8 channels), two examples, classes "zebra" and "okapi"; <paramref name="poison"/> replaces one value
    /// of level 1's <paramref name="poisoned"/> tensor.
    /// </summary>
    internal static PromptFeatures Sample(string? poisoned = null, float poison = 0, string fingerprint = "0123456789abcdef", int inputSize = 224, int[]? levelIds = null, float[]? logitOffsets = null)
    {
        var g = new Generator(7);
        var levels = new List<PromptLevel>();
        for (int l = 0; l < 2; l++)
        {
            var features = Tensor.Randn([2, 8, 4, 4], g);
            var foreground = Tensor.Rand([2, 2, 4, 4], g);
            var valid = Tensor.Rand([2, 1, 4, 4], g);
            var target = poisoned switch { "features" => features, "foreground" => foreground, _ => null };
            if (l == 1 && target is not null) target[1, 0, 2, 3] = Tensor.Scalar(poison);
            levels.Add(new PromptLevel(features.DetachFromScope(), foreground.DetachFromScope(), valid.DetachFromScope()));
        }
        return new PromptFeatures("mobilenetv2", fingerprint, inputSize, levelIds ?? [2, 4], ["zebra", "okapi"], levels, logitOffsets);
    }

    private string Saved(string name, PromptFeatures? features = null)
    {
        string path = Path.Combine(_dir, name);
        using var f = features ?? Sample();
        f.Save(path);
        return path;
    }

    /// <summary>Rewrites the prompt file at <paramref name="path"/> with one header field changed (null: removed).</summary>
    private static void EditHeader(string path, string key, string? value)
    {
        Dictionary<string, string> metadata;
        Dictionary<string, Tensor> tensors;
        using (var file = SafeTensorsFile.Open(path))
        {
            metadata = file.Metadata.ToDictionary();
            tensors = file.LoadAll();
        }
        if (value is null) metadata.Remove(key);
        else metadata[key] = value;
        SafeTensors.Save(path, tensors, metadata, overwrite: true);
        foreach (var t in tensors.Values) t.Dispose();
    }

    private static CheckpointFormatException Refused(string path, string expected)
    {
        var e = Assert.Throws<CheckpointFormatException>(() => PromptFeatures.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
        return e;
    }

    [Fact]
    public void RoundTripsExactly()
    {
        using var scope = DisposeScope.Begin();
        using var original = Sample();
        string path = Saved("ok.exemplar", Sample());
        using var loaded = PromptFeatures.Load(path);
        Assert.Equal(["zebra", "okapi"], loaded.ClassNames);
        Assert.Equal([2, 4], loaded.Levels);
        Assert.Equal(224, loaded.InputSize);
        Assert.Equal("0123456789abcdef", loaded.EncoderFingerprint);
        for (int l = 0; l < 2; l++) Assert.True(original.LevelFeatures[l].Features.Equal(loaded.LevelFeatures[l].Features));
        Assert.Equal([0f, 0f], loaded.LogitOffsets);
        Assert.False(loaded.HasLogitOffsets);
        // An untuned prompt's file is as it was before offsets existed.
        using (var file = SafeTensorsFile.Open(path)) Assert.False(file.Metadata.ContainsKey("logit_offsets"));
    }

    [Fact]
    public void LogitOffsetsRoundTripUnderTheChecksum()
    {
        string path = Saved("tuned.exemplar", Sample(logitOffsets: [-2.25f, 0.5f]));
        using (var loaded = PromptFeatures.Load(path))
        {
            Assert.Equal([-2.25f, 0.5f], loaded.LogitOffsets);
            Assert.True(loaded.HasLogitOffsets);
        }
        // The offsets are under the checksum: changed, or dropped, the file is refused.
        EditHeader(path, "logit_offsets", "[-2.25, 0.75]");
        Refused(path, "do not match their checksum");
        EditHeader(path, "logit_offsets", null);
        Refused(path, "do not match their checksum");

        Assert.Throws<ArgumentException>(() => Sample(logitOffsets: [1f]));
        Assert.Throws<ArgumentException>(() => Sample(logitOffsets: [float.NaN, 0f]));
        Assert.Throws<ArgumentException>(() => Sample(logitOffsets: [0f, 31f]));
    }

    [Fact]
    public void AHeaderOneByteShortIsRefused()
    {
        string path = Saved("short.exemplar");
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteInt64LittleEndian(bytes, BinaryPrimitives.ReadInt64LittleEndian(bytes) - 1); // the data now start one byte early
        File.WriteAllBytes(path, bytes);
        Refused(path, "checksum");
    }

    [Fact]
    public void AFlippedBitInTheTensorDataIsRefused()
    {
        string path = Saved("flip.exemplar");
        var bytes = File.ReadAllBytes(path);
        bytes[^100] ^= 0x04;
        File.WriteAllBytes(path, bytes);
        Refused(path, "do not match their checksum");
    }

    [Theory]
    [InlineData("features", float.NaN)]
    [InlineData("features", float.PositiveInfinity)]
    [InlineData("foreground", float.NegativeInfinity)]
    [InlineData("foreground", float.NaN)]
    public void NonFiniteValuesAreRefusedEvenWithAValidChecksum(string tensor, float value)
    {
        string path = Saved("nan.exemplar", Sample(tensor, value));
        Refused(path, $"'level1.{tensor}' holds non-finite values");
    }

    [Fact]
    public void MaskCoverageOutsideZeroToOneIsRefused()
    {
        string path = Saved("coverage.exemplar", Sample("foreground", 1.5f));
        Refused(path, "'level1.foreground' holds values from");
    }

    [Theory]
    [InlineData("classes", "null", "the class list is null")]
    [InlineData("classes", "[]", "the class list is empty")]
    [InlineData("classes", "[\"zebra\", null]", "null or empty name")]
    [InlineData("classes", "[\"zebra\", \"zebra\"]", "names a class twice")]
    [InlineData("classes", "zebra", "damaged prompt file")]
    [InlineData("input_size", "99999999999", "input_size '99999999999' is not a whole number from 1 to 16384")]
    [InlineData("input_size", "-3", "input_size '-3'")]
    [InlineData("input_size", "0", "input_size '0'")]
    [InlineData("levels", "[2, 2]", "distinct")]
    [InlineData("levels", "[2]", "need exactly")]
    [InlineData("levels", "[2, 4, 6]", "need exactly")]
    [InlineData("levels", "null", "levels is null")]
    [InlineData("encoder", "", "the header has no 'encoder'")]
    [InlineData("encoder_fingerprint", null, "the header has no 'encoder_fingerprint'")]
    [InlineData("tensor_sha256", null, "the header has no 'tensor_sha256'")]
    [InlineData("tensor_sha256", "00", "do not match their checksum")]
    [InlineData("format", "exemplar-prompts-0", "not an Exemplar prompt file")]
    [InlineData("logit_offsets", "[1]", "1 logit offset(s) for 2 class(es)")]
    [InlineData("logit_offsets", "[40, 0]", "must be finite and within ±30")]
    [InlineData("logit_offsets", "null", "logit_offsets is null")]
    [InlineData("logit_offsets", "[\"a\", 0]", "damaged prompt file")]
    [InlineData("logit_offsets", "[0.5, 0]", "do not match their checksum")]
    public void EveryHeaderFieldIsValidated(string key, string? value, string expected)
    {
        string path = Saved("edited.exemplar");
        EditHeader(path, key, value);
        Refused(path, expected);
    }

    [Fact]
    public void InconsistentShapesAreRefused()
    {
        string path = Saved("shapes.exemplar");
        Dictionary<string, string> metadata;
        using (var file = SafeTensorsFile.Open(path)) metadata = file.Metadata.ToDictionary();
        using var scope = DisposeScope.Begin();
        var tensors = new Dictionary<string, Tensor>();
        for (int l = 0; l < 2; l++)
        {
            tensors[$"level{l}.features"] = Tensor.Zeros([2, 8, 4, 4]);
            tensors[$"level{l}.foreground"] = Tensor.Zeros([2, 3, 4, 4]); // three classes for a list of two
            tensors[$"level{l}.valid"] = Tensor.Zeros([2, 1, 4, 4]);
        }
        metadata["tensor_sha256"] = PromptFeatures.Checksum(tensors);
        SafeTensors.Save(path, tensors, metadata, overwrite: true);
        Refused(path, "inconsistent prompt level");
    }

    [Fact]
    public void InvalidUtf8InTheHeaderIsRefusedNamingTheFile()
    {
        string path = Saved("utf8.exemplar");
        var bytes = File.ReadAllBytes(path);
        int at = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes("okapi"));
        bytes[at + 1] = 0xFF;
        File.WriteAllBytes(path, bytes);
        Refused(path, "not valid UTF-8");
    }

    [Fact]
    public void LevelsCountingFromTheEndAreAccepted()
    {
        string path = Saved("negative.exemplar", Sample(levelIds: [-2, -1]));
        using var loaded = PromptFeatures.Load(path);
        Assert.Equal([-2, -1], loaded.Levels);
    }

    [Fact]
    public void SegmentingWithPromptsThatDoNotFitTheEncoderNamesThePromptFile()
    {
        using var scope = DisposeScope.Begin();
        using var net = new Exemplar.Models.MobileNet.MobileNetV2();
        net.Eval();
        var options = SegmenterOptions.For(net) with { InputSize = 64, Levels = [16, 17] };
        var segmenter = new Segmenter(net, "mobilenetv2", options);
        using var target = Tensor.Zeros([3, 64, 64], DType.UInt8);

        string wrongWeights = Saved("weights.exemplar", Sample(inputSize: 64, levelIds: [16, 17]));
        using (var loaded = PromptFeatures.Load(wrongWeights))
        {
            var e = Assert.Throws<ArgumentException>(() => segmenter.Segment(loaded, target));
            Assert.StartsWith($"the prompts of {wrongWeights} were encoded with other mobilenetv2 weights", e.Message);
        }

        // Right fingerprint, input size and levels, but 8 channels where MobileNetV2 gives hundreds: a crafted file.
        string crafted = Saved("channels.exemplar", Sample(fingerprint: EncoderFingerprint.Of(net), inputSize: 64, levelIds: [16, 17]));
        using (var loaded = PromptFeatures.Load(crafted))
        {
            var e = Assert.Throws<ArgumentException>(() => segmenter.Segment(loaded, target));
            Assert.StartsWith($"the prompts of {crafted} have 8 channels at level 16", e.Message);
        }
    }
}
