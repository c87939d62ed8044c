using System.Buffers.Binary;

namespace Exemplar.Torch.Serialization;

/// <summary>What a file is, judged by its first bytes (never by its name).</summary>
public enum WeightFileKind
{
    /// <summary>None of the kinds below.</summary>
    Unknown,
    /// <summary>A JPEG image.</summary>
    Jpeg,
    /// <summary>A PNG image.</summary>
    Png,
    /// <summary>An ONNX model (a protobuf ModelProto starting with its IR version).</summary>
    Onnx,
    /// <summary>A safetensors file.</summary>
    SafeTensors,
    /// <summary>A zip archive, as <c>torch.save</c> writes.</summary>
    TorchZip,
    /// <summary>A pre-1.6 <c>torch.save</c> file (a bare pickle).</summary>
    LegacyTorch,
}

/// <summary>Tells weight files (and the images people pass by mistake) apart by their first bytes.</summary>
public static class WeightFile
{
    /// <summary>The kind of the file at <paramref name="path"/>.</summary>
    public static WeightFileKind Sniff(string path)
    {
        Span<byte> head = stackalloc byte[9];
        using (var file = File.OpenRead(path))
        {
            head = head[..file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
        }
        return Sniff(head);
    }

    /// <summary>The kind of a file that starts with <paramref name="head"/> (its first 9 bytes, or all of a shorter file).</summary>
    public static WeightFileKind Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return WeightFileKind.Jpeg;
        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G'])) return WeightFileKind.Png;
        if (head.StartsWith((ReadOnlySpan<byte>)[(byte)'P', (byte)'K', 3, 4])) return WeightFileKind.TorchZip;
        if (head.Length >= 9 && BinaryPrimitives.ReadInt64LittleEndian(head) > 0 && head[8] == (byte)'{') return WeightFileKind.SafeTensors;
        if (TorchCheckpoint.IsLegacyFormat(head)) return WeightFileKind.LegacyTorch;
        // ModelProto field 1 (ir_version, a small varint) comes first in files written by onnx and the ONNX model zoo.
        if (head.Length >= 2 && head[0] == 0x08 && head[1] is >= 1 and < 0x20) return WeightFileKind.Onnx;
        return WeightFileKind.Unknown;
    }

    /// <summary>e.g. "a JPEG image", "an ONNX model".</summary>
    public static string Describe(this WeightFileKind kind) => kind switch
    {
        WeightFileKind.Jpeg => "a JPEG image",
        WeightFileKind.Png => "a PNG image",
        WeightFileKind.Onnx => "an ONNX model",
        WeightFileKind.SafeTensors => "a safetensors file",
        WeightFileKind.TorchZip => "a torch.save zip checkpoint",
        WeightFileKind.LegacyTorch => "a legacy (pre-1.6) torch.save file",
        _ => "not a weight file Exemplar knows (neither ONNX, safetensors nor a torch.save zip)",
    };
}
