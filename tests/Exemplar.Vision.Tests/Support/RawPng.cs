using System.Buffers.Binary;
using System.IO.Compression;
using Exemplar.Fuzzing;

namespace Exemplar.Vision.Tests.Support;

/// <summary>
/// Builds PNG files byte by byte (independently of libspng) so that tests can check the decoder against files whose
/// every byte is known: chunk framing, CRC-32, zlib stream, filter bytes, Adam7 interlacing.
/// </summary>
internal static class RawPng
{
    internal static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// A PNG of <paramref name="rows"/> (each already packed at the bit depth, without filter byte) with filter type 0.
    /// </summary>
    internal static byte[] Build(int width, int height, int bitDepth, int colorType, IReadOnlyList<byte[]> rows,
        byte[]? plte = null, byte[]? trns = null)
    {
        var scanlines = new MemoryStream();
        foreach (var row in rows)
        {
            scanlines.WriteByte(0);
            scanlines.Write(row);
        }
        return Assemble(Ihdr(width, height, bitDepth, colorType, interlace: 0), scanlines.ToArray(), plte, trns);
    }

    /// <summary>An Adam7-interlaced 8-bit PNG of interleaved <paramref name="pixels"/> (<paramref name="channels"/> bytes per pixel).</summary>
    internal static byte[] BuildInterlaced(int width, int height, int colorType, int channels, byte[] pixels)
    {
        int[][] passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
        var scanlines = new MemoryStream();
        foreach (var pass in passes)
        {
            int x0 = pass[0], y0 = pass[1], dx = pass[2], dy = pass[3];
            if (x0 >= width || y0 >= height) continue; // empty pass: no scanlines at all
            for (int y = y0; y < height; y += dy)
            {
                scanlines.WriteByte(0);
                for (int x = x0; x < width; x += dx) scanlines.Write(pixels, (y * width + x) * channels, channels);
            }
        }
        return Assemble(Ihdr(width, height, 8, colorType, interlace: 1), scanlines.ToArray(), null, null);
    }

    private static byte[] Ihdr(int width, int height, int bitDepth, int colorType, int interlace)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colorType;
        ihdr[12] = (byte)interlace;
        return ihdr;
    }

    private static byte[] Assemble(byte[] ihdr, byte[] scanlines, byte[]? plte, byte[]? trns)
    {
        var png = new MemoryStream();
        png.Write(Signature);
        WriteChunk(png, "IHDR", ihdr);
        if (plte is not null) WriteChunk(png, "PLTE", plte);
        if (trns is not null) WriteChunk(png, "tRNS", trns);
        WriteChunk(png, "IDAT", Zlib(scanlines));
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    internal static byte[] Zlib(byte[] data)
    {
        var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true)) z.Write(data);
        return output.ToArray();
    }

    internal static void WriteChunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typed = new byte[4 + data.Length];
        for (int i = 0; i < 4; i++) typed[i] = (byte)type[i];
        data.CopyTo(typed, 4);
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Mutator.Crc32(typed));
        png.Write(word);
    }
}
