using Exemplar.Torch.Serialization;

namespace Exemplar.Torch.Tests.Serialization;

public sealed class CheckpointsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("exemplar-ck-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ASafetensorsFileIsKnownByItsBytesWhateverItsName()
    {
        string path = Path.Combine(_dir, "weights.pth");
        using (var scope = DisposeScope.Begin())
        {
            SafeTensors.Save(path, new Dictionary<string, Tensor>
            {
                ["model.w"] = Tensor.From([1f, 2f]),
                ["model.b"] = Tensor.From([3f]),
                ["ema.w"] = Tensor.From([4f, 5f]),
            });
        }
        using (var scope = DisposeScope.Begin())
        {
            Assert.Equal(["ema.w", "model.b", "model.w"], Checkpoints.LoadStateDict(path).Keys.Order());
        }
        long start = Check.SettledLiveCount();
        var model = Checkpoints.LoadStateDict(path, "model");
        Assert.Equal(start + 2, Tensor.LiveCount); // only the entry was loaded
        Assert.Equal([1f, 2f], model["w"].ToArray<float>());
        Assert.Equal([3f], model["b"].ToArray<float>());
        foreach (var t in model.Values) t.Dispose();

        var missing = Assert.Throws<CheckpointFormatException>(() => Checkpoints.LoadStateDict(path, "optimizer"));
        Assert.Equal(path, missing.FilePath);
        Assert.Contains("'optimizer.*'", missing.Message);
    }

    [Fact]
    public void ATorchSaveZipIsKnownByItsBytesWhateverItsName()
    {
        string path = Path.Combine(_dir, "weights.safetensors");
        var c = new CraftedCheckpoint().EmptyDict();
        c.Str("model").EmptyDict().Str("w").Tensor(0).SetItem().SetItem();
        c.Str("epoch").Int(3).SetItem();
        c.Save(path);

        long start = Check.SettledLiveCount();
        var state = Checkpoints.LoadStateDict(path, "model");
        using var w = Assert.Single(state, kv => kv.Key == "w").Value;
        Assert.Equal([0f, 0.5f], w.ToArray<float>());
        Assert.Equal(start + 1, Tensor.LiveCount);
    }

    [Theory]
    [InlineData(new byte[0], "neither")]
    [InlineData(new byte[] { (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o', (byte)' ', (byte)'w', (byte)'o', (byte)'r', (byte)'l', (byte)'d' }, "neither")]
    [InlineData(new byte[] { 0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19 }, "legacy")]
    [InlineData(new byte[] { 0x08, 0x07, 0x12, 0x07, (byte)'p', (byte)'y', (byte)'t', (byte)'o', (byte)'r' }, "this is an ONNX model")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F' }, "this is a JPEG image")]
    public void AnythingElseIsRefusedNamingTheFile(byte[] content, string expected)
    {
        string path = Path.Combine(_dir, "model.safetensors");
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<CheckpointFormatException>(() => Checkpoints.LoadStateDict(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void AMissingFileIsNotAFormatError()
    {
        string path = Path.Combine(_dir, "absent.pth");
        Assert.Throws<FileNotFoundException>(() => Checkpoints.LoadStateDict(path));
    }
}
