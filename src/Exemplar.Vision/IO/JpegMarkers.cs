using System.Buffers.Binary;

namespace Exemplar.Vision.IO;

/// <summary>
/// Walks the marker segments of a JPEG before its first scan to find the EXIF orientation (APP1 "Exif" segment, TIFF
/// IFD0 tag 0x0112). Every read is bounds-checked: on malformed data the walk stops and reports what it found, and
/// libjpeg then judges the file.
/// </summary>
internal static class JpegMarkers
{
    private const ushort OrientationTag = 0x0112;
    private static ReadOnlySpan<byte> ExifHeader => "Exif\0\0"u8;

    /// <summary>
    /// Reads the metadata segments up to the first scan: the orientation of the first APP1 EXIF segment (Normal when
    /// there is none or it is unreadable), whether an Adobe APP14 segment is present, and where the first scan starts
    /// (-1 when the walk did not reach one).
    /// </summary>
    internal static JpegMetadata Read(ReadOnlySpan<byte> jpeg)
    {
        ExifOrientation? orientation = null;
        bool adobe = false;
        int pos = 2; // after SOI
        while (pos + 4 <= jpeg.Length)
        {
            if (jpeg[pos] != 0xFF) break;
            byte marker = jpeg[pos + 1];
            if (marker == 0xFF) { pos++; continue; } // fill byte
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) { pos += 2; continue; } // TEM, RSTn: no length
            if (marker == 0xDA) return new(orientation ?? ExifOrientation.Normal, adobe, pos);
            if (marker == 0xD9) break;
            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(pos + 2)..]);
            if (length < 2 || pos + 2 + length > jpeg.Length) break;
            var segment = jpeg.Slice(pos + 4, length - 2);
            if (marker == 0xE1 && orientation is null && segment.StartsWith(ExifHeader))
            {
                orientation = ParseTiffOrientation(segment[ExifHeader.Length..]) ?? ExifOrientation.Normal;
            }
            if (marker == 0xEE && segment.StartsWith("Adobe"u8)) adobe = true;
            pos += 2 + length;
        }
        return new(orientation ?? ExifOrientation.Normal, adobe, -1);
    }

    /// <summary>Whether an EOI marker follows the first scan (a file cut short has none; an EXIF thumbnail's EOI comes before it).</summary>
    internal static bool HasEndAfter(ReadOnlySpan<byte> jpeg, int firstScan)
    {
        if (firstScan < 0) return false;
        int eoi = jpeg.LastIndexOf([(byte)0xFF, (byte)0xD9]);
        return eoi > firstScan;
    }

    /// <summary>Reads tag 0x0112 from IFD0 of a TIFF structure; null when absent or invalid.</summary>
    internal static ExifOrientation? ParseTiffOrientation(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8) return null;
        bool little;
        if (tiff[0] == (byte)'I' && tiff[1] == (byte)'I') little = true;
        else if (tiff[0] == (byte)'M' && tiff[1] == (byte)'M') little = false;
        else return null;
        if (U16(tiff[2..], little) != 42) return null;
        uint ifd = U32(tiff[4..], little);
        if (ifd < 8 || ifd > tiff.Length - 2) return null;
        int count = U16(tiff[(int)ifd..], little);
        for (int e = 0; e < count; e++)
        {
            long entry = ifd + 2 + 12L * e;
            if (entry + 12 > tiff.Length) return null;
            var field = tiff.Slice((int)entry, 12);
            if (U16(field, little) != OrientationTag) continue;
            int type = U16(field[2..], little);
            uint value = type switch
            {
                3 => U16(field[8..], little),  // SHORT, stored in the first two bytes of the value field
                4 => U32(field[8..], little),  // LONG, written by a few tools
                _ => 0,
            };
            return value is >= 1 and <= 8 ? (ExifOrientation)value : null;
        }
        return null;
    }

    private static ushort U16(ReadOnlySpan<byte> b, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);

    private static uint U32(ReadOnlySpan<byte> b, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);
}

/// <summary>What <see cref="JpegMarkers.Read"/> found before the first scan.</summary>
/// <param name="Orientation">The EXIF orientation (Normal when absent).</param>
/// <param name="HasAdobeMarker">Whether an Adobe APP14 segment is present (its CMYK samples are stored inverted).</param>
/// <param name="FirstScan">Offset of the first SOS marker, or -1.</param>
internal readonly record struct JpegMetadata(ExifOrientation Orientation, bool HasAdobeMarker, int FirstScan);
