using System.Buffers.Binary;

namespace Exemplar.Fuzzing;

/// <summary>
/// Seeded mutations of files: bit flips, truncation, byte overwrites and splices anywhere (biased to the first 512
/// bytes, where the headers are), plus edits that know the format: PNG header fields and chunks (CRC often fixed so
/// that the edit gets past the check), JPEG markers and frame fields, zip headers (sizes, name lengths, compression
/// method, offsets) and safetensors headers (header length, the numbers and punctuation of the JSON).
/// </summary>
public static class Mutator
{
    /// <summary>A mutant of <paramref name="original"/> and how it was made.</summary>
    public static (byte[] Bytes, string How) Mutate(byte[] original, Random random)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(random);
        if (original.Length == 0) return ([], "empty");
        int kind = random.Next(7);
        return kind switch
        {
            0 => FlipBits(original, random),
            1 => Truncate(original, random),
            2 => OverwriteBytes(original, random),
            3 => Splice(original, random),
            _ => Sniff(original) switch
            {
                Format.Png => EditPng(original, random),
                Format.Jpeg => EditJpeg(original, random),
                Format.Zip => EditZip(original, random),
                Format.SafeTensors => EditSafeTensors(original, random),
                _ => FlipBits(original, random),
            },
        };
    }

    /// <summary>Recomputes the CRC of the PNG chunk starting at <paramref name="offset"/> (its length field) in place.</summary>
    public static void FixPngCrc(byte[] png, int offset)
    {
        int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
        if (length < 0 || offset + 12L + length > png.Length) return;
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(offset + 8 + length), Crc32(png.AsSpan(offset + 4, 4 + length)));
    }

    /// <summary>CRC-32 (ISO 3309, reflected polynomial 0xEDB88320) as PNG and zip use.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    private enum Format
    {
        Other,
        Png,
        Jpeg,
        Zip,
        SafeTensors,
    }

    private static Format Sniff(byte[] data) => data switch
    {
        [0x89, (byte)'P', (byte)'N', (byte)'G', ..] => Format.Png,
        [0xFF, 0xD8, ..] => Format.Jpeg,
        [(byte)'P', (byte)'K', 3, 4, ..] => Format.Zip,
        { Length: > 8 } when data[8] == (byte)'{' => Format.SafeTensors,
        _ => Format.Other,
    };

    private static int Position(byte[] data, Random random) =>
        random.Next(2) == 0 ? random.Next(Math.Min(data.Length, 512)) : random.Next(data.Length);

    /// <summary>A size-like number: small, near a power of two, huge, or random.</summary>
    private static uint SizeLike(Random random) => random.Next(4) switch
    {
        0 => (uint)random.Next(0, 4),
        1 => (uint)random.Next(1, 100_000),
        2 => (uint)((1L << random.Next(20, 32)) + random.Next(-1, 2)),
        _ => (uint)random.Next() | (uint)random.Next(2) << 31,
    };

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
        if (random.Next(2) == 0 && data.Length >= 33)
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
            if (fixCrc) FixPngCrc(data, 8);
        }
        else
        {
            var chunks = PngChunkOffsets(data);
            int chunk = chunks[random.Next(chunks.Count)];
            if (chunk + 8 > data.Length) return FlipBits(original, random);
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
                if (fixCrc) FixPngCrc(data, chunk);
            }
        }
        return (data, how + (fixCrc ? " (CRC fixed)" : ""));
    }

    private static List<int> PngChunkOffsets(byte[] png)
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
        if (markers.Count == 0) return FlipBits(original, random);
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

    /// <summary>Edits one field of a local file header or central directory record (the structures a zip reader trusts).</summary>
    private static (byte[], string) EditZip(byte[] original, Random random)
    {
        var data = (byte[])original.Clone();
        var headers = new List<(int At, bool Central)>();
        for (int i = 0; i + 46 <= data.Length; i++)
        {
            uint signature = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(i));
            if (signature == 0x04034b50) headers.Add((i, false));
            else if (signature == 0x02014b50) headers.Add((i, true));
        }
        if (headers.Count == 0) return FlipBits(original, random);
        var (at, central) = headers[random.Next(headers.Count)];
        // (offset, width, name) of the fields: local header / central directory record.
        (int Offset, int Width, string Name)[] fields = central
            ? [(10, 2, "method"), (16, 4, "crc"), (20, 4, "compressed size"), (24, 4, "size"), (28, 2, "name length"), (30, 2, "extra length"), (42, 4, "local header offset")]
            : [(8, 2, "method"), (14, 4, "crc"), (18, 4, "compressed size"), (22, 4, "size"), (26, 2, "name length"), (28, 2, "extra length")];
        var (offset, width, name) = fields[random.Next(fields.Length)];
        uint value = name == "method" ? (uint)new[] { 0, 1, 8, 9, 12, 14, 99, 0xFFFF }[random.Next(8)] : SizeLike(random);
        if (width == 2) BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(at + offset), (ushort)value);
        else BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(at + offset), value);
        return (data, $"zip {(central ? "central" : "local")} header at {at}: {name} = {(width == 2 ? (ushort)value : value)}");
    }

    /// <summary>Edits the header length, a number in the JSON header, or one of its structural characters.</summary>
    private static (byte[], string) EditSafeTensors(byte[] original, Random random)
    {
        var data = (byte[])original.Clone();
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(data);
        int end = (int)Math.Clamp(8 + headerLength, 8, data.Length);
        switch (random.Next(4))
        {
            case 3:
                // Inside a name or string value: bad UTF-8, a control character, or a quote or escape out of place.
                var letters = new List<int>();
                for (int i = 8; i < end; i++)
                {
                    if (char.IsAsciiLetterOrDigit((char)data[i]) || data[i] == (byte)'_') letters.Add(i);
                }
                if (letters.Count == 0) goto default;
                int letter = letters[random.Next(letters.Count)];
                byte[] intruders = [0xFF, 0xC3, 0x80, 0xED, 0x00, 0x0A, (byte)'"', (byte)'\\'];
                data[letter] = intruders[random.Next(intruders.Length)];
                return (data, $"header byte at {letter} = 0x{data[letter]:X2}");
            case 0:
                long length = random.Next(3) switch { 0 => headerLength + random.Next(-3, 4), 1 => random.Next(), _ => -random.Next(1, 100) };
                BinaryPrimitives.WriteInt64LittleEndian(data, length);
                return (data, $"header length = {length}");
            case 1:
                var digits = new List<int>();
                for (int i = 8; i < end; i++)
                {
                    if (char.IsAsciiDigit((char)data[i]) && !char.IsAsciiDigit((char)data[i - 1])) digits.Add(i);
                }
                if (digits.Count == 0) goto default;
                int at = digits[random.Next(digits.Count)];
                byte digit = (byte)('0' + random.Next(10));
                data[at] = random.Next(4) == 0 ? (byte)'-' : digit;
                return (data, $"header number at {at} edited to start with '{(char)data[at]}'");
            default:
                var structural = new List<int>();
                for (int i = 8; i < end; i++)
                {
                    if (data[i] is (byte)'"' or (byte)',' or (byte)':' or (byte)'[' or (byte)']' or (byte)'{' or (byte)'}') structural.Add(i);
                }
                if (structural.Count == 0) return FlipBits(original, random);
                int where = structural[random.Next(structural.Count)];
                byte[] replacements = [(byte)'"', (byte)',', (byte)'[', (byte)'}', (byte)' ', 0xFF, (byte)'\\', (byte)'n'];
                data[where] = replacements[random.Next(replacements.Length)];
                return (data, $"header character at {where} = 0x{data[where]:X2}");
        }
    }
}
