using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Exemplar.Torch.Tests.Serialization;

/// <summary>
/// Writes torch.save-style checkpoints by hand, opcode by opcode (pickle protocol 2), for shapes of file that PyTorch
/// would never write: self-referencing containers, clashing names, malformed tensor records.
/// </summary>
internal sealed class CraftedCheckpoint
{
    private readonly MemoryStream _pickle = new();
    private readonly Dictionary<string, float[]> _storages = [];

    public CraftedCheckpoint() => Op(0x80, 0x02); // PROTO 2

    public CraftedCheckpoint Op(params byte[] bytes)
    {
        _pickle.Write(bytes);
        return this;
    }

    public CraftedCheckpoint Mark() => Op((byte)'(');
    public CraftedCheckpoint Tuple() => Op((byte)'t');
    public CraftedCheckpoint EmptyTuple() => Op((byte)')');
    public CraftedCheckpoint EmptyList() => Op((byte)']');
    public CraftedCheckpoint Append() => Op((byte)'a');
    public CraftedCheckpoint EmptyDict() => Op((byte)'}');
    public CraftedCheckpoint SetItem() => Op((byte)'s');
    public CraftedCheckpoint Reduce() => Op((byte)'R');
    public CraftedCheckpoint Build() => Op((byte)'b');
    public CraftedCheckpoint Put(byte memo) => Op((byte)'q', memo);
    public CraftedCheckpoint Get(byte memo) => Op((byte)'h', memo);
    public CraftedCheckpoint Global(string module, string name) => Op((byte)'c').Op(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    public CraftedCheckpoint Int(int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        return Op((byte)'J').Op(b.ToArray());
    }

    public CraftedCheckpoint Str(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        Span<byte> n = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(n, utf8.Length);
        return Op((byte)'X').Op(n.ToArray()).Op(utf8);
    }

    public CraftedCheckpoint Ints(IEnumerable<int> values)
    {
        Mark();
        foreach (int v in values) Int(v);
        return Tuple();
    }

    /// <summary>
    /// Pushes a float32 tensor as torch.save writes one: _rebuild_tensor_v2 over storage <paramref name="key"/>, which
    /// holds <paramref name="data"/>.
    /// </summary>
    public CraftedCheckpoint Tensor(string key, float[] data, int[] size, int[] stride, int offset = 0) =>
        Global("torch._utils", "_rebuild_tensor_v2").TensorArgs(key, data, size, stride, offset).Reduce();

    /// <summary>
    /// Pushes the argument tuple of _rebuild_tensor_v2 for a float32 storage <paramref name="key"/> holding
    /// <paramref name="data"/>, whose record declares <paramref name="numel"/> elements (default: those of the data).
    /// </summary>
    public CraftedCheckpoint TensorArgs(string key, float[] data, int[] size, int[] stride, int offset = 0, int? numel = null)
    {
        _storages[key] = data;
        Mark();
        Mark().Str("storage").Global("torch", "FloatStorage").Str(key).Str("cpu").Int(numel ?? data.Length).Tuple().Op((byte)'Q'); // BINPERSID
        Int(offset).Ints(size).Ints(stride).Op(0x89); // requires_grad False
        Global("collections", "OrderedDict").EmptyTuple().Reduce(); // backward hooks
        return Tuple();
    }

    /// <summary>A 1-D tensor [a, a + 0.5] in its own storage named after <paramref name="a"/>.</summary>
    public CraftedCheckpoint Tensor(int a) => Tensor($"s{a}", [a, a + 0.5f], [2], [1]);

    /// <summary>How the storage entries are compressed (torch.save stores them: the default).</summary>
    public CompressionLevel StorageCompression { get; init; } = CompressionLevel.NoCompression;

    /// <summary>Ends the pickle (STOP) and writes the zip: archive/data.pkl, archive/byteorder, archive/data/&lt;key&gt;.</summary>
    public void Save(string path)
    {
        Op((byte)'.');
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        Write(zip, "archive/data.pkl", _pickle.ToArray());
        Write(zip, "archive/byteorder", Encoding.ASCII.GetBytes("little"));
        foreach (var (key, data) in _storages)
        {
            var bytes = new byte[data.Length * sizeof(float)];
            Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
            Write(zip, $"archive/data/{key}", bytes, StorageCompression);
        }
    }

    private static void Write(ZipArchive zip, string name, byte[] bytes, CompressionLevel level = CompressionLevel.NoCompression)
    {
        using var s = zip.CreateEntry(name, level).Open();
        s.Write(bytes);
    }

    /// <summary>
    /// Rewrites the uncompressed size that the zip at <paramref name="path"/> declares for <paramref name="entry"/>, in
    /// its local header and its central directory record, leaving the data as they are.
    /// </summary>
    public static void DeclareEntrySize(string path, string entry, uint size)
    {
        var zip = File.ReadAllBytes(path);
        var name = Encoding.ASCII.GetBytes(entry);
        int patched = 0;
        for (int i = 0; i + 46 < zip.Length; i++)
        {
            uint signature = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i));
            (int nameAt, int sizeAt) = signature switch
            {
                0x04034b50 => (30, 22), // local file header
                0x02014b50 => (46, 24), // central directory record
                _ => (0, 0),
            };
            if (nameAt == 0) continue;
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(i + nameAt - (signature == 0x04034b50 ? 4 : 18)));
            if (nameLength != name.Length || !zip.AsSpan(i + nameAt, nameLength).SequenceEqual(name)) continue;
            BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + sizeAt), size);
            patched++;
        }
        if (patched != 2) throw new InvalidOperationException($"{entry}: {patched} headers found, 2 expected");
        File.WriteAllBytes(path, zip);
    }
}
