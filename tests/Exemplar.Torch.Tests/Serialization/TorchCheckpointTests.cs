using Exemplar.Torch.Serialization;
using Exemplar.Torch.Serialization.Pickle;

namespace Exemplar.Torch.Tests.Serialization;

public sealed class TorchCheckpointTests : IDisposable
{
    private const string Flat = "fixtures/dinov2_tiny_parity.pth";
    private const string Nested = "fixtures/dinov2_tiny_parity_nested.pth";
    private const string Reference = "fixtures/dinov2_tiny_parity.safetensors";
    private static readonly string Views = Path.Combine(AppContext.BaseDirectory, "Serialization", "Data", "views.pth");
    private readonly string _dir = Directory.CreateTempSubdirectory("exemplar-pth-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SharedFact(Flat, Reference)]
    public void FlatStateDictMatchesTheSafetensorsWeightsBitForBit()
    {
        using var scope = DisposeScope.Begin();
        var root = TorchCheckpoint.Load(SharedFolder.PathOf(Flat));
        var dict = Assert.IsType<PickleDict>(root);
        Assert.NotNull(dict.Attributes); // OrderedDict's _metadata survives as attributes
        AssertMatchesReference(dict.ToDictionary(kv => (string)kv.Key, kv => Assert.IsType<Tensor>(kv.Value)));
    }

    [SharedFact(Nested, Reference)]
    public void NestedCheckpointMatchesAndKeepsItsOtherEntries()
    {
        using var scope = DisposeScope.Begin();
        var root = Assert.IsType<PickleDict>(TorchCheckpoint.Load(SharedFolder.PathOf(Nested)));
        Assert.Equal(3L, root["epoch"]);
        Assert.Equal("nested checkpoint", root["note"]);
        AssertMatchesReference(TorchCheckpoint.LoadStateDict(SharedFolder.PathOf(Nested), "model"));

        var dotted = TorchCheckpoint.LoadStateDict(SharedFolder.PathOf(Nested));
        Assert.Contains("model.cls_token", dotted.Keys);
        Assert.Equal(49, dotted.Count);
    }

    private static void AssertMatchesReference(Dictionary<string, Tensor> loaded)
    {
        using var reference = SafeTensorsFile.Open(SharedFolder.PathOf(Reference));
        var expectedNames = reference.Keys.Where(k => k.StartsWith("weights.", StringComparison.Ordinal)).Select(k => k["weights.".Length..]).ToHashSet();
        Assert.Equal(expectedNames.Order(), loaded.Keys.Order());
        foreach (var (name, tensor) in loaded)
        {
            using var expected = reference.Load("weights." + name);
            Assert.Equal(expected.DType, tensor.DType);
            Assert.Equal(expected.Shape, tensor.Shape);
            Assert.True(expected.ToBytes().AsSpan().SequenceEqual(tensor.ToBytes()), $"{name} differs");
        }
    }

    [Fact]
    public void ReadsViewsStridesDTypesAndPythonValues()
    {
        using var scope = DisposeScope.Begin();
        var root = Assert.IsType<PickleDict>(TorchCheckpoint.Load(Views));
        var state = Assert.IsType<PickleDict>(root["state"]);
        var b = Assert.IsType<Tensor>(state["base"]);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (float)i), b.ToArray<float>());

        var transposed = Assert.IsType<Tensor>(state["transposed"]);
        Assert.Equal([6L, 4], transposed.Shape);
        Assert.Equal([1L, 6], transposed.Strides);
        Assert.Equal([0f, 6, 12, 18, 1, 7, 13, 19], transposed.ToArray<float>()[..8]);

        var slice = Assert.IsType<Tensor>(state["row_slice"]);
        Assert.Equal(8, slice.StorageOffset);
        Assert.Equal([8f, 9, 10, 14, 15, 16], slice.ToArray<float>());
        Assert.Equal([1f, 3, 5, 7], Assert.IsType<Tensor>(state["every_other"]).ToArray<float>()[..4]);

        // Views share one storage, as in PyTorch: writing through one is seen by the others.
        using (var _ = b.Fill_(-1)) { }
        Assert.All(slice.ToArray<float>(), v => Assert.Equal(-1f, v));

        Assert.Equal([-3.0, -1.5, 0, 1.5, 3, 4.5], Assert.IsType<Tensor>(state["f64"]).ToArray<double>());
        Assert.Equal([(Half)(-3f), (Half)(-1.5f), (Half)0f, (Half)1.5f, (Half)3f, (Half)4.5f], Assert.IsType<Tensor>(state["f16"]).ToArray<Half>());
        Assert.Equal([-3f, -1.5f, 0f, 1.5f, 3f, 4.5f], Assert.IsType<Tensor>(state["bf16"]).ToArray<BFloat16>().Select(v => (float)v));
        Assert.Equal([-2L, -1, 0, 1, 2, 3], Assert.IsType<Tensor>(state["i64"]).ToArray<long>());
        Assert.Equal([-2, -1, 0, 1, 2, 3], Assert.IsType<Tensor>(state["i32"]).ToArray<int>());
        Assert.Equal([(short)-2, (short)-1, (short)0, (short)1, (short)2, (short)3], Assert.IsType<Tensor>(state["i16"]).ToArray<short>());
        Assert.Equal([(sbyte)-2, (sbyte)-1, (sbyte)0, (sbyte)1, (sbyte)2, (sbyte)3], Assert.IsType<Tensor>(state["i8"]).ToArray<sbyte>());
        Assert.Equal(new byte[] { 254, 255, 0, 1, 2, 3 }, Assert.IsType<Tensor>(state["u8"]).ToArray<byte>());
        Assert.Equal([true, false, true], Assert.IsType<Tensor>(state["bool"]).ToArray<bool>());
        var scalar = Assert.IsType<Tensor>(state["scalar"]);
        Assert.Empty(scalar.Shape);
        Assert.Equal(3.25f, scalar.Item<float>());
        Assert.Equal([0L, 3], Assert.IsType<Tensor>(state["empty"]).Shape);

        var list = Assert.IsType<List<object?>>(root["list"]);
        Assert.Equal(1L, list[0]);
        Assert.Equal(2.5, list[1]);
        Assert.Equal("three", list[2]);
        Assert.Null(list[3]);
        Assert.Equal(true, list[4]);
        Assert.Equal([4L, 5L], Assert.IsType<object?[]>(list[5]));
        Assert.Equal(System.Numerics.BigInteger.Pow(2, 70), root["big"]);
        Assert.Equal(-123456789L, root["negative"]);

        var flat = TorchCheckpoint.LoadStateDict(Views);
        Assert.Contains("nested.inner.w", flat.Keys);
        Assert.Contains("state.transposed", flat.Keys);
    }

    [Fact]
    public void TruncatedAndForeignFilesRaiseAnErrorNamingTheFile()
    {
        var bytes = File.ReadAllBytes(Views);
        var candidates = new List<(string Name, byte[] Bytes)>
        {
            ("empty.pth", []),
            ("text.pth", System.Text.Encoding.ASCII.GetBytes("this is not a checkpoint")),
            ("legacy.pth", [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]),
        };
        for (int keep = 0; keep < bytes.Length; keep += 97) candidates.Add(($"cut{keep}.pth", bytes[..keep]));
        foreach (var (name, content) in candidates)
        {
            string path = Path.Combine(_dir, name);
            File.WriteAllBytes(path, content);
            var ex = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Load(path));
            Assert.Equal(path, ex.FilePath);
        }
        var legacy = Assert.Throws<CheckpointFormatException>(() => TorchCheckpoint.Load(Path.Combine(_dir, "legacy.pth")));
        Assert.Contains("legacy", legacy.Message);
    }

    [Fact]
    public void CorruptedPicklesRaiseAnErrorNotACrash()
    {
        var original = File.ReadAllBytes(Views);
        var random = new Random(1234);
        int failures = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            // Flip bytes inside data.pkl's stored bytes (the zip stores entries uncompressed).
            var bytes = (byte[])original.Clone();
            int start = FindPickleStart(bytes);
            for (int k = 0; k < 3; k++) bytes[start + random.Next(200)] ^= (byte)(1 << random.Next(8));
            string path = Path.Combine(_dir, "flip.pth");
            File.WriteAllBytes(path, bytes);
            try
            {
                using var scope = DisposeScope.Begin();
                TorchCheckpoint.Load(path);
            }
            catch (CheckpointFormatException e)
            {
                Assert.Equal(path, e.FilePath);
                failures++;
            }
        }
        Assert.True(failures > 0, "no corruption was detected at all");
    }

    private static int FindPickleStart(byte[] zip)
    {
        // The first local file header's data: signature(4) … name length at 26, extra length at 28, data at 30+n+m.
        int nameLength = BitConverter.ToUInt16(zip, 26);
        int extraLength = BitConverter.ToUInt16(zip, 28);
        return 30 + nameLength + extraLength;
    }
}
