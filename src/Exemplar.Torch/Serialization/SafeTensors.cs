using System.IO.MemoryMappedFiles;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Exemplar.Torch.IO;

namespace Exemplar.Torch.Serialization;

/// <summary>Where one tensor lies in a safetensors file.</summary>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Sizes.</param>
/// <param name="Begin">Byte offset of the data, relative to the end of the header.</param>
/// <param name="End">Byte offset one past the data.</param>
public sealed record SafeTensorInfo(DType DType, long[] Shape, long Begin, long End);

/// <summary>
/// A safetensors file opened read-only through a memory map: the header is parsed and validated up front, and each
/// tensor's bytes are copied out only when it is loaded.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    private const long MaxHeaderBytes = 100L << 20;
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly Dictionary<string, SafeTensorInfo> _tensors;
    private readonly long _dataStart;
    private bool _disposed;

    private SafeTensorsFile(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, Dictionary<string, SafeTensorInfo> tensors,
        IReadOnlyDictionary<string, string> metadata, long dataStart)
    {
        FilePath = path;
        _map = map;
        _view = view;
        _tensors = tensors;
        Metadata = metadata;
        _dataStart = dataStart;
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>The header's <c>__metadata__</c> (string to string).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Tensor names in file order.</summary>
    public IReadOnlyList<string> Keys => [.. _tensors.OrderBy(kv => kv.Value.Begin).Select(kv => kv.Key)];

    /// <summary>Whether the file holds a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <summary>The dtype, shape and location of a tensor.</summary>
    public SafeTensorInfo Info(string name) =>
        _tensors.TryGetValue(name, out var info) ? info : throw new KeyNotFoundException($"{FilePath}: no tensor named '{name}'");

    /// <summary>Opens and validates <paramref name="path"/>.</summary>
    /// <exception cref="CheckpointFormatException">The file is not a valid safetensors file (the message says why).</exception>
    public static SafeTensorsFile Open(string path)
    {
        long length = new FileInfo(path).Length;
        if (length < 8) throw new CheckpointFormatException(path, $"file too short for a safetensors header ({length} bytes)");
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            long headerLength = view.ReadInt64(0);
            if (headerLength <= 0 || headerLength > MaxHeaderBytes || headerLength > length - 8)
            {
                throw new CheckpointFormatException(path, $"header length {headerLength} is invalid for a file of {length} bytes (truncated or not safetensors)");
            }
            var headerBytes = new byte[headerLength];
            view.ReadArray(8, headerBytes, 0, headerBytes.Length);
            long dataStart = 8 + headerLength;
            var (tensors, metadata) = ParseHeader(path, headerBytes, length - dataStart);
            return new SafeTensorsFile(path, map, view, tensors, metadata, dataStart);
        }
        catch
        {
            view?.Dispose();
            map.Dispose();
            throw;
        }
    }

    /// <summary>Copies one tensor out of the file into a new CPU tensor (of any size).</summary>
    /// <exception cref="ObjectDisposedException">The file was disposed.</exception>
    /// <exception cref="KeyNotFoundException">The file holds no tensor called <paramref name="name"/>.</exception>
    /// <exception cref="CheckpointFormatException">There is not enough memory for the copy (the message names the file).</exception>
    public unsafe Tensor Load(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var info = Info(name);
        byte* basePtr = null;
        var handle = _view.SafeMemoryMappedViewHandle;
        handle.AcquirePointer(ref basePtr);
        try
        {
            byte* start = basePtr + _view.PointerOffset + _dataStart + info.Begin;
            return Tensor.FromPointer(start, info.End - info.Begin, info.DType, info.Shape);
        }
        catch (TorchException e)
        {
            // libtorch could not allocate the copy: the tensor is too large for the memory left.
            throw new CheckpointFormatException(FilePath, $"tensor '{name}' ({info.End - info.Begin} bytes) cannot be loaded: {e.Message}", e);
        }
        finally
        {
            handle.ReleasePointer();
        }
    }

    /// <summary>Loads every tensor, keyed by name, in file order; if one fails, those already loaded are freed.</summary>
    public Dictionary<string, Tensor> LoadAll() => LoadMany(Keys);

    /// <summary>
    /// Loads the tensors called <paramref name="names"/>, keyed by their names less the first <paramref name="strip"/>
    /// characters (a prefix); if one fails, those already loaded are freed.
    /// </summary>
    internal Dictionary<string, Tensor> LoadMany(IEnumerable<string> names, int strip = 0)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (string name in names) result.Add(name[strip..], Load(name));
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _disposed = true;
        _view.Dispose();
        _map.Dispose();
    }

    private static (Dictionary<string, SafeTensorInfo>, Dictionary<string, string>) ParseHeader(string path, byte[] header, long dataLength)
    {
        var tensors = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        // JsonDocument only finds bad UTF-8 in a string when it is read, and then without saying which file.
        if (!Utf8.IsValid(header)) throw new CheckpointFormatException(path, "the header is not valid UTF-8 (damaged, or not a safetensors file)");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"the header is not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new CheckpointFormatException(path, "the header is not a JSON object");
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    if (entry.Value.ValueKind != JsonValueKind.Object) throw new CheckpointFormatException(path, "__metadata__ is not an object");
                    foreach (var m in entry.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw new CheckpointFormatException(path, $"__metadata__ value '{m.Name}' is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                tensors[entry.Name] = ParseEntry(path, entry.Name, entry.Value, dataLength);
            }
        }
        CheckNoOverlap(path, tensors);
        return (tensors, metadata);
    }

    private static SafeTensorInfo ParseEntry(string path, string name, JsonElement e, long dataLength)
    {
        try
        {
            var dtype = ParseDType(Property(e, "dtype").GetString());
            long[] shape = [.. Property(e, "shape").EnumerateArray().Select(v => v.GetInt64())];
            long[] offsets = [.. Property(e, "data_offsets").EnumerateArray().Select(v => v.GetInt64())];
            if (shape.Any(s => s < 0)) throw new FormatException("negative dimension");
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0]) throw new FormatException("data_offsets must be [begin, end]");
            if (offsets[1] > dataLength) throw new FormatException($"data ends at byte {offsets[1]} but the file holds {dataLength} data bytes (truncated?)");
            long expected = checked(shape.Aggregate(1L, (a, b) => checked(a * b)) * dtype.ElementSize());
            if (offsets[1] - offsets[0] != expected) throw new FormatException($"{offsets[1] - offsets[0]} bytes for shape [{string.Join(", ", shape)}] of {dtype}, which needs {expected}");
            return new SafeTensorInfo(dtype, shape, offsets[0], offsets[1]);
        }
        catch (Exception ex) when (ex is FormatException or KeyNotFoundException or InvalidOperationException or OverflowException)
        {
            throw new CheckpointFormatException(path, $"tensor '{name}': {ex.Message}", ex);
        }
    }

    private static JsonElement Property(JsonElement entry, string name)
    {
        if (entry.ValueKind != JsonValueKind.Object) throw new FormatException("the entry is not a JSON object");
        return entry.TryGetProperty(name, out var value) ? value : throw new FormatException($"no '{name}' field");
    }

    private static void CheckNoOverlap(string path, Dictionary<string, SafeTensorInfo> tensors)
    {
        long previousEnd = 0;
        string? previous = null;
        foreach (var (name, info) in tensors.Where(kv => kv.Value.End > kv.Value.Begin).OrderBy(kv => kv.Value.Begin))
        {
            if (info.Begin < previousEnd) throw new CheckpointFormatException(path, $"tensors '{previous}' and '{name}' overlap");
            previousEnd = info.End;
            previous = name;
        }
    }

    internal static DType ParseDType(string? code) => code switch
    {
        "F32" => DType.Float32,
        "F16" => DType.Float16,
        "BF16" => DType.BFloat16,
        "F64" => DType.Float64,
        "I64" => DType.Int64,
        "I32" => DType.Int32,
        "I16" => DType.Int16,
        "I8" => DType.Int8,
        "U8" => DType.UInt8,
        "BOOL" => DType.Bool,
        _ => throw new FormatException($"unsupported dtype '{code}'"),
    };

    internal static string DTypeCode(DType dtype) => dtype switch
    {
        DType.Float32 => "F32",
        DType.Float16 => "F16",
        DType.BFloat16 => "BF16",
        DType.Float64 => "F64",
        DType.Int64 => "I64",
        DType.Int32 => "I32",
        DType.Int16 => "I16",
        DType.Int8 => "I8",
        DType.UInt8 => "U8",
        DType.Bool => "BOOL",
        _ => throw new NotSupportedException($"safetensors cannot store {dtype}"),
    };
}

/// <summary>Reads and writes the safetensors format (https://github.com/huggingface/safetensors).</summary>
public static class SafeTensors
{
    /// <summary>Loads every tensor of <paramref name="path"/> (CPU tensors; the caller owns them).</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        return file.LoadAll();
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> (any device; copied to the CPU) with optional header metadata, atomically
    /// (see <see cref="AtomicFile"/>): a failure leaves no half-written file; an existing file is replaced only when
    /// <paramref name="overwrite"/> is true.
    /// </summary>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null, bool overwrite = false)
    {
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToArray();
        var payloads = new byte[names.Length][];
        using var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            for (int i = 0; i < names.Length; i++)
            {
                var t = tensors[names[i]];
                payloads[i] = t.ToBytes();
                json.WriteStartObject(names[i]);
                json.WriteString("dtype", SafeTensorsFile.DTypeCode(t.DType));
                json.WriteStartArray("shape");
                foreach (long s in t.Shape) json.WriteNumberValue(s);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + payloads[i].Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += payloads[i].Length;
            }
            json.WriteEndObject();
        }
        // The data section starts 8-byte aligned: pad the header with spaces, as the reference writer does.
        while (header.Length % 8 != 0) header.WriteByte((byte)' ');

        AtomicFile.Write(path, f =>
        {
            f.Write(BitConverter.GetBytes(header.Length));
            header.WriteTo(f);
            foreach (var p in payloads) f.Write(p);
        }, overwrite);
    }
}
