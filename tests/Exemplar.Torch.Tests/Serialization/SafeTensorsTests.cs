using Exemplar.Torch.Serialization;

namespace Exemplar.Torch.Tests.Serialization;

/// <summary>A fact that needs gigabytes of memory and seconds of copying: skipped visibly unless EXEMPLAR_LARGE_TESTS=1.</summary>
public sealed class LargeFactAttribute : FactAttribute
{
    public LargeFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("EXEMPLAR_LARGE_TESTS") != "1") Skip = "a large-memory test: set EXEMPLAR_LARGE_TESTS=1 to run it";
    }
}

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("exemplar-st-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void RoundTripsEveryDTypeAndMetadata()
    {
        string path = Path.Combine(_dir, "all.safetensors");
        using var scope = DisposeScope.Begin();
        var tensors = new Dictionary<string, Tensor>
        {
            ["f32"] = Tensor.From([1.5f, -2f, 3.25f, 0f, 1e-8f, -7f], 2, 3),
            ["f64"] = Tensor.From([Math.PI, -Math.E]),
            ["f16"] = Tensor.From([(Half)0.5f, (Half)(-1.25f), (Half)65504f]),
            ["bf16"] = Tensor.From([(BFloat16)1.5f, (BFloat16)(-3f)]),
            ["i64"] = Tensor.From([long.MinValue, 0L, long.MaxValue]),
            ["i32"] = Tensor.From([-5, 6], 1, 2),
            ["u8"] = Tensor.From(new byte[] { 0, 128, 255 }),
            ["bool"] = Tensor.From([true, false, true, true], 2, 2),
            ["scalar"] = Tensor.Scalar(42f),
            ["empty"] = Tensor.Zeros([0, 4]),
            ["strided"] = Tensor.Arange(12, dtype: DType.Float32).Reshape(3, 4).Transpose(0, 1), // written contiguous
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "héllo" };
        SafeTensors.Save(path, tensors, metadata);

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(metadata, file.Metadata);
        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), file.Keys);
        foreach (var (name, expected) in tensors)
        {
            var info = file.Info(name);
            Assert.Equal(expected.DType, info.DType);
            Assert.Equal(expected.Shape, info.Shape);
            using var actual = file.Load(name);
            Assert.Equal(expected.ToBytes(), actual.ToBytes());
            Assert.Equal(expected.Shape, actual.Shape);
        }
        Assert.Equal(0, (new FileInfo(path).Length - 8 - file.Keys.Sum(k => file.Info(k).End - file.Info(k).Begin)) % 8);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("value")]
    public void InvalidUtf8InTheHeaderIsAFormatErrorNamingTheFile(string where)
    {
        string path = Path.Combine(_dir, "utf8.safetensors");
        using var t = Tensor.Ones([2]);
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["tensor_qq"] = t }, new Dictionary<string, string> { ["note"] = "value_qq" });
        var bytes = File.ReadAllBytes(path);
        int at = bytes.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(where == "name" ? "tensor_qq" : "value_qq"));
        bytes[at + 1] = 0xC3; // a lead byte followed by an ASCII byte: not UTF-8
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Open(path));
        Assert.Equal(path, ex.FilePath);
        Assert.Contains("not valid UTF-8", ex.Message);
    }

    [Fact]
    public void RefusesToOverwriteUnlessAsked()
    {
        string path = Path.Combine(_dir, "x.safetensors");
        using var t = Tensor.Ones([2]);
        var one = new Dictionary<string, Tensor> { ["t"] = t };
        SafeTensors.Save(path, one);
        var before = File.ReadAllBytes(path);
        var ex = Assert.Throws<IOException>(() => SafeTensors.Save(path, one));
        Assert.Contains(path, ex.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        SafeTensors.Save(path, one, overwrite: true);
        Assert.Single(Directory.GetFiles(_dir)); // no temporary file left behind
    }

    [SharedFact("fixtures/dinov2_tiny_parity.safetensors")]
    public void ReadsTheParityFixture()
    {
        using var file = SafeTensorsFile.Open(SharedFolder.PathOf("fixtures/dinov2_tiny_parity.safetensors"));
        Assert.Contains("config", file.Metadata.Keys);
        Assert.Contains("\"embed_dim\": 128", file.Metadata["config"]);
        var info = file.Info("input.in224");
        Assert.Equal(DType.Float32, info.DType);
        Assert.Equal([1L, 3, 224, 224], info.Shape);
        using var input = file.Load("input.in224");
        Assert.Equal([1L, 3, 224, 224], input.Shape);
        using var pos = file.Load("weights.pos_embed");
        Assert.Equal([1L, 37 * 37 + 1, 128], pos.Shape);
    }

    [Fact]
    public void TruncatedFilesRaiseAnErrorNamingTheFile()
    {
        string path = Path.Combine(_dir, "good.safetensors");
        using (var t = Tensor.Arange(0, 100, 1))
        {
            SafeTensors.Save(path, new Dictionary<string, Tensor> { ["t"] = t });
        }
        var bytes = File.ReadAllBytes(path);
        foreach (int keep in new[] { 0, 4, 8, 20, bytes.Length - 1 })
        {
            string cut = Path.Combine(_dir, $"cut{keep}.safetensors");
            File.WriteAllBytes(cut, bytes[..keep]);
            var ex = Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Open(cut).Dispose());
            Assert.Equal(cut, ex.FilePath);
            Assert.StartsWith(cut, ex.Message);
        }
    }

    [Fact]
    public void LoadingFromADisposedFileIsObjectDisposed()
    {
        string path = Path.Combine(_dir, "d.safetensors");
        using (var t = Tensor.Ones([2])) SafeTensors.Save(path, new Dictionary<string, Tensor> { ["t"] = t });
        var file = SafeTensorsFile.Open(path);
        file.Dispose();
        var e = Assert.Throws<ObjectDisposedException>(() => file.Load("t"));
        Assert.Equal(typeof(SafeTensorsFile).FullName, e.ObjectName); // this file's check, not the closed view's
        Assert.Throws<ObjectDisposedException>(() => file.LoadAll());
    }

    [Fact]
    public void LoadingSeveralFreesThoseLoadedWhenOneFails()
    {
        string path = Path.Combine(_dir, "two.safetensors");
        using (var a = Tensor.Ones([2]))
        using (var b = Tensor.Zeros([3]))
        {
            SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b });
        }
        using var file = SafeTensorsFile.Open(path);
        long start = Check.SettledLiveCount();
        Assert.Throws<KeyNotFoundException>(() => file.LoadMany(["a", "b", "missing"]));
        Assert.Equal(start, Tensor.LiveCount); // a and b were disposed, not left to finalizers
        var all = file.LoadAll();
        Assert.Equal(["a", "b"], all.Keys);
        foreach (var t in all.Values) t.Dispose();
    }

    /// <summary>Copies 2 GiB (about 10 s and 5 GB of memory on a small VM): run with EXEMPLAR_LARGE_TESTS=1.</summary>
    [LargeFact]
    public void TensorsOfMoreThan2GiBLoad()
    {
        // A sparse file: 2 GiB + 8 bytes of uint8 data, all zero but the last four.
        const long n = (1L << 31) + 8;
        string path = Path.Combine(_dir, "big.safetensors");
        var header = System.Text.Encoding.UTF8.GetBytes($"{{\"big\":{{\"dtype\":\"U8\",\"shape\":[{n}],\"data_offsets\":[0,{n}]}}}}");
        using (var f = File.Create(path))
        {
            f.Write(BitConverter.GetBytes((long)header.Length));
            f.Write(header);
            f.SetLength(8 + header.Length + n);
            f.Seek(-4, SeekOrigin.End);
            f.Write([1, 2, 3, 4]);
        }
        using var file = SafeTensorsFile.Open(path);
        using var big = file.Load("big");
        Assert.Equal([n], big.Shape);
        using var tail = big.Narrow(0, n - 5, 5);
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4 }, tail.ToArray<byte>());
    }

    [Theory]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", "needs 8")]
    [InlineData("{\"t\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}", "unsupported dtype")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[1]}}", "no 'data_offsets' field")]
    [InlineData("{\"t\":[1]}", "tensor 't': the entry is not a JSON object")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"u\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}", "overlap")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{not json", "not valid JSON")]
    public void MalformedHeadersAreRejected(string header, string expected)
    {
        string path = Path.Combine(_dir, "bad.safetensors");
        var headerBytes = System.Text.Encoding.UTF8.GetBytes(header);
        using (var f = File.Create(path))
        {
            f.Write(BitConverter.GetBytes((long)headerBytes.Length));
            f.Write(headerBytes);
            f.Write(new byte[8]);
        }
        var ex = Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Open(path).Dispose());
        Assert.Contains(expected, ex.Message);
        Assert.Contains(path, ex.Message);
    }
}
