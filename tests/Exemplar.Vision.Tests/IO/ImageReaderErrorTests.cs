using System.Buffers.Binary;
using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.IO;

public class ImageReaderErrorTests
{
    private static byte[] SmallJpeg()
    {
        using var image = Synthetic.Pattern(3, 40, 56);
        return ImageWriter.EncodeJpeg(image);
    }

    private static byte[] SmallPng()
    {
        using var image = Synthetic.Pattern(3, 40, 56);
        return ImageWriter.EncodePng(image);
    }

    private static ImageFormatException ReadFileExpectingError(byte[] bytes, string name, ImageReadOptions? options = null)
    {
        using var folder = new Synthetic.TempFolder();
        string path = folder.PathOf(name);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ImageFormatException>(() => ImageReader.Read(path, options));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        return e;
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(0.99)]
    public void TruncatedJpegRaisesNamingTheFile(double keep)
    {
        byte[] jpeg = SmallJpeg();
        var e = ReadFileExpectingError(jpeg[..(int)(jpeg.Length * keep)], "cut.jpg");
        Assert.Contains("truncated", e.Problem);
        // Allowing warnings does not make a truncated file acceptable.
        ReadFileExpectingError(jpeg[..(int)(jpeg.Length * keep)], "cut.jpg", new ImageReadOptions(AllowJpegWarnings: true));
    }

    [Fact]
    public void JpegCutInsideItsHeaderRaises()
    {
        var e = ReadFileExpectingError(SmallJpeg()[..100], "header.jpg");
        Assert.Contains("JPEG", e.Problem);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.8)]
    public void TruncatedPngRaisesNamingTheFile(double keep)
    {
        byte[] png = SmallPng();
        var e = ReadFileExpectingError(png[..(int)(png.Length * keep)], "cut.png");
        Assert.Contains("libspng", e.Problem);
    }

    [Theory]
    [InlineData(12)] // the whole IEND chunk
    [InlineData(6)]  // IEND cut inside its type
    public void PngEndingBeforeIendRaises(int missing)
    {
        byte[] png = SmallPng();
        var e = ReadFileExpectingError(png[..^missing], "no-end.png");
        Assert.Contains("after its image data", e.Problem);
    }

    [Fact]
    public void PngWithBadCrcRaises()
    {
        byte[] png = SmallPng();
        png[29] ^= 0xFF; // a byte of the IHDR CRC
        var e = ReadFileExpectingError(png, "crc.png");
        Assert.Contains("header", e.Problem);
    }

    [Fact]
    public void UnsupportedAndEmptyFilesAreNamed()
    {
        Assert.Contains("GIF", ReadFileExpectingError("GIF89a\x01\x00\x01\x00"u8.ToArray(), "anim.png").Problem);
        Assert.Contains("BMP", ReadFileExpectingError("BM\0\0\0\0\0\0"u8.ToArray(), "x.jpg").Problem);
        Assert.Contains("empty", ReadFileExpectingError([], "empty.png").Problem);
        Assert.Contains("not a JPEG or PNG", ReadFileExpectingError("hello world"u8.ToArray(), "text.png").Problem);
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        using var folder = new Synthetic.TempFolder();
        Assert.Throws<FileNotFoundException>(() => ImageReader.Read(folder.PathOf("absent.png")));
    }

    /// <summary>A gray PNG whose header says <paramref name="width"/> x <paramref name="height"/> but whose data hold one row.</summary>
    private static byte[] GrayPngWithOneRow(int width, int height, byte bitDepth)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = bitDepth;
        var png = new MemoryStream();
        png.Write(RawPng.Signature);
        RawPng.WriteChunk(png, "IHDR", ihdr);
        RawPng.WriteChunk(png, "IDAT", RawPng.Zlib(new byte[1 + (width * bitDepth + 7) / 8]));
        RawPng.WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    [Fact]
    public void SizeLimitIsCheckedFromThePngHeaderBeforeDecoding()
    {
        // The header claims 20000 x 20000 (400 MP) but holds a single, far too short row: only a header check can
        // report the size rather than a decoding error.
        var png = GrayPngWithOneRow(20000, 20000, 8);
        var e = ReadFileExpectingError(png, "huge.png");
        Assert.Contains("20000x20000", e.Problem);
        Assert.Contains("over the limit of 40 megapixels", e.Problem);
        Assert.Equal(20000, ImageReader.ReadInfo(png).Width); // the header itself is fine
    }

    [Fact]
    public void ATinyPngOfExactly100MegapixelsIsRefusedFromItsHeaderByDefault()
    {
        // 10000 x 10000 at 1 bit: such a file deflates to about 12 KB yet decoding it took 4.8 GB. Here only its first
        // row is present, so it can only be refused by size before any buffer is made.
        var png = GrayPngWithOneRow(10000, 10000, 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = ReadFileExpectingError(png, "bomb.png");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "a pixel buffer was allocated before the size was checked");
        Assert.Contains("10000x10000 (100 megapixels), over the limit of 40 megapixels", e.Problem);
        Assert.EndsWith("bomb.png", e.FilePath);
    }

    [Fact]
    public void SizeLimitIsConfigurableAndAppliesToJpeg()
    {
        byte[] jpeg = SmallJpeg(); // 56 x 40 = 2240 pixels
        var e = ReadFileExpectingError(jpeg, "small.jpg", new ImageReadOptions(MaxPixels: 2239));
        Assert.Contains("56x40", e.Problem);
        using var ok = ImageReader.Decode(jpeg, options: new ImageReadOptions(MaxPixels: 2240));
        Assert.Equal([3, 40, 56], ok.Pixels.Shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageReader.Decode(jpeg, options: new ImageReadOptions(MaxPixels: 0)));
    }

    [Fact]
    public void CorruptJpegDataRaiseUnlessWarningsAreAllowed()
    {
        byte[] jpeg = SmallJpeg();
        int scan = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xDA]);
        int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(scan + 2));
        int data = scan + 2 + length;
        // Insert a stray marker in the middle of the entropy-coded data: libjpeg warns and resynchronises.
        int at = data + (jpeg.Length - 2 - data) / 2;
        byte[] corrupt = [.. jpeg.AsSpan(0, at), 0xFF, 0xD3, .. jpeg.AsSpan(at)];
        var e = ReadFileExpectingError(corrupt, "corrupt.jpg");
        Assert.Contains("corrupt", e.Problem);
        using var recovered = ImageReader.Decode(corrupt, options: new ImageReadOptions(AllowJpegWarnings: true));
        Assert.Equal([3, 40, 56], recovered.Pixels.Shape);
    }

    [Fact]
    public void ContradictoryOptionsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => ImageReader.Decode(SmallPng(), options: new ImageReadOptions(Channels: ImageChannels.Rgb, Palette: PaletteMode.Indices)));
    }

    [Fact]
    public void DisposedImageRefusesItsPixels()
    {
        var image = ImageReader.Decode(SmallPng());
        using var taken = image.TakePixels();
        Assert.Throws<ObjectDisposedException>(() => image.Pixels);
        image.Dispose();
        Assert.False(taken.IsDisposed);
        Assert.Equal(DType.UInt8, taken.DType);
    }
}
