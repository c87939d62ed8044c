using System.Runtime.InteropServices;

namespace Exemplar.Vision.IO.Native;

/// <summary>
/// P/Invoke declarations for the TurboJPEG API of libjpeg-turbo 2.1 (Debian's <c>libturbojpeg0</c>). Internal: the
/// JPEG codec classes wrap these and turn every failure into an exception.
/// </summary>
internal static partial class TurboJpegNative
{
    private const string Lib = "libturbojpeg.so.0";

    // Pixel formats (enum TJPF).
    internal const int PixelFormatRgb = 0;
    internal const int PixelFormatGray = 6;
    internal const int PixelFormatCmyk = 11;

    // Chrominance subsampling (enum TJSAMP).
    internal const int Subsampling444 = 0;
    internal const int Subsampling422 = 1;
    internal const int Subsampling420 = 2;
    internal const int SubsamplingGray = 3;

    // JPEG colour spaces (enum TJCS).
    internal const int ColorspaceRgb = 0;
    internal const int ColorspaceYCbCr = 1;
    internal const int ColorspaceGray = 2;
    internal const int ColorspaceCmyk = 3;
    internal const int ColorspaceYcck = 4;

    // Flags.
    internal const int FlagAccurateDct = 4096;
    internal const int FlagStopOnWarning = 8192;
    internal const int FlagLimitScans = 32768;

    // Error codes (enum TJERR).
    internal const int ErrorWarning = 0;

    [LibraryImport(Lib)] internal static partial nint tjInitDecompress();
    [LibraryImport(Lib)] internal static partial nint tjInitCompress();
    [LibraryImport(Lib)] internal static partial int tjDestroy(nint handle);

    [LibraryImport(Lib)]
    internal static unsafe partial int tjDecompressHeader3(TurboJpegHandle handle, byte* jpegBuf, CULong jpegSize,
        int* width, int* height, int* jpegSubsamp, int* jpegColorspace);

    [LibraryImport(Lib)]
    internal static unsafe partial int tjDecompress2(TurboJpegHandle handle, byte* jpegBuf, CULong jpegSize, byte* dstBuf,
        int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(Lib)]
    internal static unsafe partial int tjCompress2(TurboJpegHandle handle, byte* srcBuf, int width, int pitch, int height,
        int pixelFormat, byte** jpegBuf, CULong* jpegSize, int jpegSubsamp, int jpegQual, int flags);

    [LibraryImport(Lib)] internal static unsafe partial void tjFree(byte* buffer);
    [LibraryImport(Lib)] internal static partial nint tjGetErrorStr2(TurboJpegHandle handle);
    [LibraryImport(Lib)] internal static partial int tjGetErrorCode(TurboJpegHandle handle);

    /// <summary>The message of the last failure on <paramref name="handle"/>.</summary>
    internal static string LastError(TurboJpegHandle handle) =>
        Marshal.PtrToStringUTF8(tjGetErrorStr2(handle))?.Trim() ?? "unknown libjpeg-turbo error";
}

/// <summary>Owns one TurboJPEG compressor or decompressor instance (not thread-safe: one per call).</summary>
internal sealed class TurboJpegHandle : SafeHandle
{
    public TurboJpegHandle() : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>A new decompressor; throws when libjpeg-turbo cannot create one.</summary>
    internal static TurboJpegHandle CreateDecompressor() => Create(TurboJpegNative.tjInitDecompress(), "decompressor");

    /// <summary>A new compressor; throws when libjpeg-turbo cannot create one.</summary>
    internal static TurboJpegHandle CreateCompressor() => Create(TurboJpegNative.tjInitCompress(), "compressor");

    private static TurboJpegHandle Create(nint raw, string what)
    {
        if (raw == 0) throw new InvalidOperationException($"libjpeg-turbo could not create a {what} (out of memory?)");
        var h = new TurboJpegHandle();
        h.SetHandle(raw);
        return h;
    }

    protected override bool ReleaseHandle() => TurboJpegNative.tjDestroy(handle) == 0;
}
