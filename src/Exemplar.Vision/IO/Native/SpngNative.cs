using System.Runtime.InteropServices;

namespace Exemplar.Vision.IO.Native;

/// <summary>
/// P/Invoke declarations for libspng 0.7 (Debian's <c>libspng0</c>). Internal: the PNG codec classes wrap these and
/// check every return code.
/// </summary>
internal static partial class SpngNative
{
    private const string Lib = "libspng.so.0";

    internal const int Ok = 0;
    internal const int IoEof = -1;                  // SPNG_IO_EOF: the buffer ended
    internal const int ErrorChunkAvailable = 73; // SPNG_ECHUNKAVAIL: the chunk is absent

    internal const int ContextEncoder = 2;          // SPNG_CTX_ENCODER
    internal const int FormatPng = 256;             // SPNG_FMT_PNG: the file's own layout, host-endian 16-bit
    internal const int EncodeFinalize = 2;          // SPNG_ENCODE_FINALIZE
    internal const int OptionImageCompressionLevel = 2; // SPNG_IMG_COMPRESSION_LEVEL
    internal const int OptionEncodeToBuffer = 12;   // SPNG_ENCODE_TO_BUFFER

    internal const byte ColorGray = 0;
    internal const byte ColorRgb = 2;
    internal const byte ColorIndexed = 3;
    internal const byte ColorGrayAlpha = 4;
    internal const byte ColorRgba = 6;

    [LibraryImport(Lib)] internal static partial nint spng_ctx_new(int flags);
    [LibraryImport(Lib)] internal static partial void spng_ctx_free(nint ctx);
    [LibraryImport(Lib)] internal static unsafe partial int spng_set_png_buffer(SpngContext ctx, byte* buf, nuint size);
    [LibraryImport(Lib)] internal static partial int spng_set_chunk_limits(SpngContext ctx, nuint chunkSize, nuint cacheSize);
    [LibraryImport(Lib)] internal static partial int spng_set_option(SpngContext ctx, int option, int value);
    [LibraryImport(Lib)] internal static unsafe partial int spng_get_ihdr(SpngContext ctx, SpngIhdr* ihdr);
    [LibraryImport(Lib)] internal static unsafe partial int spng_get_plte(SpngContext ctx, SpngPlte* plte);
    [LibraryImport(Lib)] internal static unsafe partial int spng_get_trns(SpngContext ctx, SpngTrns* trns);
    [LibraryImport(Lib)] internal static unsafe partial int spng_decoded_image_size(SpngContext ctx, int fmt, nuint* len);
    [LibraryImport(Lib)] internal static partial int spng_decode_chunks(SpngContext ctx);
    [LibraryImport(Lib)] internal static unsafe partial int spng_decode_image(SpngContext ctx, void* output, nuint len, int fmt, int flags);
    [LibraryImport(Lib)] internal static unsafe partial int spng_set_ihdr(SpngContext ctx, SpngIhdr* ihdr);
    [LibraryImport(Lib)] internal static unsafe partial int spng_set_plte(SpngContext ctx, SpngPlte* plte);
    [LibraryImport(Lib)] internal static unsafe partial int spng_set_trns(SpngContext ctx, SpngTrns* trns);
    [LibraryImport(Lib)] internal static unsafe partial int spng_encode_image(SpngContext ctx, void* img, nuint len, int fmt, int flags);
    [LibraryImport(Lib)] internal static unsafe partial void* spng_get_png_buffer(SpngContext ctx, nuint* len, int* error);
    [LibraryImport(Lib)] internal static partial nint spng_strerror(int err);

    /// <summary>libspng's description of an error code (with a plain explanation of the commonest one, truncation).</summary>
    internal static string Describe(int code)
    {
        string text = Marshal.PtrToStringUTF8(spng_strerror(code)) is { Length: > 0 } s ? $"{s} (libspng error {code})" : $"libspng error {code}";
        return code == IoEof ? $"the data end too early, the file is truncated: {text}" : text;
    }
}

/// <summary>Owns one libspng context (decoder or encoder).</summary>
internal sealed class SpngContext : SafeHandle
{
    public SpngContext() : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>A new context; throws when libspng cannot create one.</summary>
    internal static SpngContext Create(int flags)
    {
        nint raw = SpngNative.spng_ctx_new(flags);
        if (raw == 0) throw new InvalidOperationException("libspng could not create a context (out of memory?)");
        var ctx = new SpngContext();
        ctx.SetHandle(raw);
        return ctx;
    }

    protected override bool ReleaseHandle()
    {
        SpngNative.spng_ctx_free(handle);
        return true;
    }
}

/// <summary>Mirror of <c>struct spng_ihdr</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SpngIhdr
{
    public uint Width;
    public uint Height;
    public byte BitDepth;
    public byte ColorType;
    public byte CompressionMethod;
    public byte FilterMethod;
    public byte InterlaceMethod;
}

/// <summary>Mirror of <c>struct spng_plte</c>: entries are red, green, blue, (reserved) bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SpngPlte
{
    public uint EntryCount;
    public fixed byte Entries[256 * 4];
}

/// <summary>Mirror of <c>struct spng_trns</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SpngTrns
{
    public ushort Gray;
    public ushort Red;
    public ushort Green;
    public ushort Blue;
    public uint Type3EntryCount;
    public fixed byte Type3Alpha[256];
}
