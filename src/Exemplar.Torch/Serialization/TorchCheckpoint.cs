using System.IO.Compression;
using Exemplar.Torch.Serialization.Pickle;

namespace Exemplar.Torch.Serialization;

/// <summary>
/// Reads PyTorch checkpoints as <c>torch.save</c> writes them (a zip holding <c>data.pkl</c> and one entry per storage),
/// with no Python: nested dicts, <c>OrderedDict</c>s, lists, tuples, numbers, strings and tensors (several storages,
/// views into a shared storage, any strides). Unknown Python objects are kept as <see cref="PickleObject"/> data;
/// nothing in the file is executed.
/// </summary>
public static partial class TorchCheckpoint
{
    /// <summary>
    /// Loads the object a checkpoint holds: a <see cref="PickleDict"/> (dict or OrderedDict), <c>List&lt;object?&gt;</c>,
    /// <c>object?[]</c> (tuple), <see cref="Tensor"/> (CPU), <see cref="long"/>, <see cref="double"/>,
    /// <see cref="string"/>, <see cref="bool"/>, <c>byte[]</c>, <see cref="PickleObject"/> or null.
    /// </summary>
    /// <exception cref="CheckpointFormatException">
    /// The file is not a PyTorch zip checkpoint, is damaged (the message says how; sizes an entry declares are checked
    /// against what the file holds before anything is allocated), or does not fit in memory.
    /// </exception>
    public static object? Load(string path)
    {
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointFormatException(path, IsLegacyFormat(path) ? LegacyFormatProblem : $"not a PyTorch zip checkpoint, or a truncated one ({e.Message})", e);
        }
        using (zip)
        {
            try
            {
                var pickle = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1)
                    ?? throw new CheckpointFormatException(path, "no <name>/data.pkl entry: not a torch.save checkpoint");
                string prefix = pickle.FullName[..^"data.pkl".Length];
                long fileLength = new FileInfo(path).Length;
                CheckByteOrder(path, zip, prefix, fileLength);
                var resolver = new TorchResolver(path, zip, prefix, fileLength);
                try
                {
                    return new PickleReader(ReadEntry(pickle, fileLength), resolver).Load();
                }
                catch
                {
                    resolver.DisposeLoaded();
                    throw;
                }
                finally
                {
                    resolver.DisposeStorages();
                }
            }
            catch (OutOfMemoryException e)
            {
                throw new CheckpointFormatException(path, $"not enough memory to load it ({e.Message})", e);
            }
            catch (Exception e) when (e is not CheckpointFormatException)
            {
                // Whatever a damaged or crafted file makes the reader trip over, the caller learns which file it was.
                throw new CheckpointFormatException(path, e.Message, e);
            }
        }
    }

    /// <summary>The problem reported for a pre-1.6 <c>torch.save</c> file.</summary>
    internal const string LegacyFormatProblem = "a legacy (pre-1.6, non-zip) torch.save file; re-save it with a current PyTorch";

    private static void CheckByteOrder(string path, ZipArchive zip, string prefix, long fileLength)
    {
        var entry = zip.GetEntry(prefix + "byteorder");
        if (entry is null) return; // files before the byteorder record are little-endian
        string order = System.Text.Encoding.ASCII.GetString(ReadEntry(entry, fileLength)).Trim();
        if (order != "little") throw new CheckpointFormatException(path, $"byte order '{order}' is not supported (only little-endian)");
    }

    /// <summary>
    /// Most bytes an entry may inflate to per stored byte. torch.save stores every entry uncompressed (ratio 1) and real
    /// tensor data or pickles deflate by a few times at most; a larger ratio is a zip bomb or a lie about the size.
    /// </summary>
    private const long MaxInflationRatio = 64;

    /// <summary>
    /// The bytes of <paramref name="entry"/>, after checking the size it declares against what the file can really
    /// hold, so that a small crafted file cannot make the reader allocate or inflate gigabytes.
    /// </summary>
    private static byte[] ReadEntry(ZipArchiveEntry entry, long fileLength)
    {
        long declared = entry.Length, stored = entry.CompressedLength;
        if (stored > fileLength)
        {
            throw new InvalidDataException($"zip entry {entry.FullName} claims {stored} stored bytes in a file of {fileLength} (truncated or damaged)");
        }
        if (declared > Math.Max(stored, 1) * MaxInflationRatio)
        {
            throw new InvalidDataException($"zip entry {entry.FullName} declares {declared} bytes but stores {stored} (more than {MaxInflationRatio} times as many: "
                + "a damaged or crafted file; torch.save stores entries uncompressed)");
        }
        if (declared > Array.MaxLength) throw new InvalidDataException($"zip entry {entry.FullName} is too large ({declared} bytes)");
        var bytes = new byte[declared];
        using var s = entry.Open();
        int read = s.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read < declared) throw new InvalidDataException($"zip entry {entry.FullName} declares {declared} bytes but holds only {read} (truncated?)");
        return bytes;
    }

    private static bool IsLegacyFormat(string path)
    {
        using var f = File.OpenRead(path);
        Span<byte> head = stackalloc byte[3];
        return IsLegacyFormat(head[..f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)]);
    }

    /// <summary>Whether a file's first bytes are those of a legacy torch.save file (a pickled magic number, protocol 2: 0x80 0x02 0x8a 0x0a …).</summary>
    internal static bool IsLegacyFormat(ReadOnlySpan<byte> head) => head.Length >= 3 && head[0] == 0x80 && head[2] == 0x8a;

    /// <summary>Turns PyTorch's globals and persistent ids into tensors; everything else stays data.</summary>
    private sealed class TorchResolver(string path, ZipArchive zip, string prefix, long fileLength) : IPickleResolver
    {
        private const int MaxRebuildNesting = 16;
        private readonly Dictionary<string, Tensor> _storages = [];
        private readonly List<Tensor> _loaded = [];

        private sealed record StorageType(DType DType);

        public object? ResolveGlobal(string module, string name) => (module, name) switch
        {
            ("torch", _) when name.EndsWith("Storage", StringComparison.Ordinal) => new StorageType(StorageDType(name)),
            _ => new PickleGlobal(module, name),
        };

        public object? Call(object? callable, object?[] args)
        {
            // _rebuild_from_type_v2(func, new_type, args, state) rebuilds with func and drops the subclass; func may be
            // _rebuild_from_type_v2 again. Unwrapped in a loop (a crafted file nesting it 50,000 deep must not
            // overflow the stack), and bounded: PyTorch writes one level.
            for (int depth = 0; callable is PickleGlobal { Module: "torch._tensor", Name: "_rebuild_from_type_v2" }; depth++)
            {
                if (depth == MaxRebuildNesting) throw new FormatException($"_rebuild_from_type_v2 nested more than {MaxRebuildNesting} deep");
                if (args.Length < 3 || args[2] is not object?[] inner) throw new FormatException("malformed _rebuild_from_type_v2");
                (callable, args) = (args[0], inner);
            }
            if (callable is not PickleGlobal g) throw new FormatException($"call of a non-class value ({callable?.GetType().Name ?? "None"})");
            switch (g.Module, g.Name)
            {
                case ("collections", "OrderedDict"):
                case ("builtins", "dict"):
                    return new PickleDict();
                case ("torch._utils", "_rebuild_tensor_v2"):
                case ("torch._utils", "_rebuild_tensor"):
                    return RebuildTensor(args);
                case ("torch._utils", "_rebuild_parameter"):
                case ("torch._utils", "_rebuild_parameter_with_state"):
                    return args.Length > 0 && args[0] is Tensor t ? t : throw new FormatException("_rebuild_parameter without a tensor");
                default:
                    return new PickleObject(g, args);
            }
        }

        public object? PersistentLoad(object? pid)
        {
            // ('storage', storage_type, key, location, numel)
            if (pid is not object?[] { Length: >= 5 } t || t[0] is not "storage")
            {
                throw new FormatException($"unsupported persistent id ({pid})");
            }
            var dtype = t[1] is StorageType st ? st.DType : throw new FormatException($"unknown storage type {t[1]}");
            string key = t[2] as string ?? throw new FormatException("storage key is not a string");
            long numel = t[4] is long n ? n : throw new FormatException("storage size is not an int");
            if (_storages.TryGetValue(key, out var cached)) return cached;
            var entry = zip.GetEntry($"{prefix}data/{key}") ?? throw new FormatException($"storage '{key}' is missing from the archive (truncated?)");
            long expected = checked(numel * dtype.ElementSize());
            if (entry.Length != expected) throw new FormatException($"storage '{key}' holds {entry.Length} bytes, {expected} expected for {numel} x {dtype}");
            var storage = Tensor.FromBytes(ReadEntry(entry, fileLength), dtype, [numel]);
            _storages[key] = storage;
            return storage;
        }

        private Tensor RebuildTensor(object?[] args)
        {
            // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            if (args.Length < 4 || args[0] is not Tensor storage) throw new FormatException("malformed _rebuild_tensor_v2 arguments");
            long offset = args[1] is long o ? o : throw new FormatException("tensor storage offset is not an int");
            long[] size = Longs(args[2], "size");
            long[] stride = Longs(args[3], "stride");
            if (stride.Length != size.Length) throw new FormatException($"tensor size [{string.Join(", ", size)}] and stride [{string.Join(", ", stride)}] differ in rank");
            long storageSize = storage.Size(0);
            long last = offset;
            for (int i = 0; i < size.Length; i++)
            {
                if (size[i] < 0 || stride[i] < 0) throw new FormatException("negative tensor size or stride");
                if (size[i] == 0) { last = -1; break; }
                last = checked(last + (size[i] - 1) * stride[i]);
            }
            if (offset < 0 || (last >= 0 && last >= storageSize)) throw new FormatException($"tensor view [{string.Join(", ", size)}] at offset {offset} reaches past its storage of {storageSize} elements");
            var tensor = storage.AsStrided(size, stride, offset);
            _loaded.Add(tensor); // before anything else can fail, so that a failed load frees it
            if (args.Length > 4 && args[4] is true) tensor.RequiresGrad = true;
            return tensor;
        }

        private static long[] Longs(object? value, string what) => value switch
        {
            object?[] t => [.. t.Select(v => v is long l ? l : throw new FormatException($"tensor {what} holds a non-int"))],
            _ => throw new FormatException($"tensor {what} is not a tuple"),
        };

        /// <summary>The views keep the storages alive; the storage handles themselves are released here.</summary>
        public void DisposeStorages()
        {
            foreach (var s in _storages.Values) s.Dispose();
        }

        public void DisposeLoaded()
        {
            foreach (var t in _loaded) t.Dispose();
        }

        private DType StorageDType(string name) => name switch
        {
            "FloatStorage" => DType.Float32,
            "DoubleStorage" => DType.Float64,
            "HalfStorage" => DType.Float16,
            "BFloat16Storage" => DType.BFloat16,
            "LongStorage" => DType.Int64,
            "IntStorage" => DType.Int32,
            "ShortStorage" => DType.Int16,
            "CharStorage" => DType.Int8,
            "ByteStorage" => DType.UInt8,
            "BoolStorage" => DType.Bool,
            _ => throw new CheckpointFormatException(path, $"unsupported storage type torch.{name}"),
        };
    }
}
