using SkiaSharp;

namespace Exemplar.Runtime.Tests;

/// <summary>Decoding: EXIF orientation, limits, formats.</summary>
public sealed class ImageInputTests
{
    /// <summary>A 32x16 JPEG, left half red and right half blue, with an EXIF orientation tag.</summary>
    private static byte[] JpegWithOrientation(ushort orientation)
    {
        using var bitmap = new SKBitmap(32, 16);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.DrawRect(0, 0, 16, 16, new SKPaint { Color = SKColors.Red });
            canvas.DrawRect(16, 0, 16, 16, new SKPaint { Color = SKColors.Blue });
        }
        var jpeg = bitmap.Encode(SKEncodedImageFormat.Jpeg, 95).ToArray();
        // APP1 "Exif\0\0", little-endian TIFF, one IFD entry: 0x0112 Orientation, SHORT, count 1.
        byte[] tiff = [(byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, (byte)orientation, 0, 0, 0, 0, 0, 0, 0];
        byte[] payload = [.. "Exif\0\0"u8.ToArray(), .. tiff];
        int length = payload.Length + 2;
        return [0xFF, 0xD8, 0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. payload, .. jpeg[2..]];
    }

    private static (byte R, byte G, byte B) Pixel(DecodedImage image, int x, int y)
    {
        int i = 4 * (y * image.Width + x);
        return (image.Rgba[i], image.Rgba[i + 1], image.Rgba[i + 2]);
    }

    [Fact]
    public void PhotosAreTurnedAsTheirExifOrientationSays()
    {
        using var upright = new MemoryStream(JpegWithOrientation(1));
        var plain = ImageInput.FromStream(upright).Decode();
        Assert.Equal((32, 16), (plain.Width, plain.Height));
        Assert.True(Pixel(plain, 2, 8).R > 200 && Pixel(plain, 30, 8).B > 200);

        // 6: the camera was turned clockwise; shown upright, the left (red) half is on top.
        using var turned = new MemoryStream(JpegWithOrientation(6));
        var shown = ImageInput.FromStream(turned).Decode();
        Assert.Equal((16, 32), (shown.Width, shown.Height));
        Assert.True(Pixel(shown, 8, 2).R > 200, $"top {Pixel(shown, 8, 2)}");
        Assert.True(Pixel(shown, 8, 30).B > 200, $"bottom {Pixel(shown, 8, 30)}");

        // 3: upside down; shown upright, red is on the right.
        using var flipped = new MemoryStream(JpegWithOrientation(3));
        var rotated = ImageInput.FromStream(flipped).Decode();
        Assert.Equal((32, 16), (rotated.Width, rotated.Height));
        Assert.True(Pixel(rotated, 30, 8).R > 200 && Pixel(rotated, 2, 8).B > 200);
    }

    [Fact]
    public void NotImagesAndTooManyPixelsAreRefusedNamingTheSource()
    {
        using var text = new MemoryStream("hello"u8.ToArray());
        Assert.StartsWith("notes.txt: not an image", Assert.Throws<InvalidDataException>(() => ImageInput.FromStream(text, "notes.txt").Decode()).Message);
        // A well-formed PNG header (checksum recomputed) declaring 10000 x 10000 pixels: refused before any pixel is decoded.
        using var bitmap = new SKBitmap(1, 1);
        var png = bitmap.Encode(SKEncodedImageFormat.Png, 100).ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 10000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 10000);
        Exemplar.Fuzzing.Mutator.FixPngCrc(png, 8);                                                              // the IHDR chunk
        using var bomb = new MemoryStream(png);
        var error = Assert.Throws<InvalidDataException>(() => ImageInput.FromStream(bomb, "bomb.png").Decode());
        Assert.Equal("bomb.png: 10000x10000 pixels is more than the 40,000,000 allowed", error.Message);
    }
}
