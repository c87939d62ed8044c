using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.IO;

public class ExifOrientationTests
{
    /// <summary>A 24x16 gray JPEG, dark except a bright 8x8 block at the stored top-left corner.</summary>
    private static byte[] CornerJpeg()
    {
        var data = new byte[16 * 24];
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 24; x++)
                data[y * 24 + x] = (byte)(x < 8 && y < 8 ? 250 : 20 + x + y);
        using var image = Tensor.From(data, 1, 16, 24);
        return ImageWriter.EncodeJpeg(image, new JpegEncodeOptions(100));
    }

    /// <summary>The expected display of stored planes <paramref name="a"/> [C, H, W], computed with tensor flips and transposes.</summary>
    private static Tensor Expected(Tensor a, int orientation) => orientation switch
    {
        1 => a.Clone(),
        2 => a.Flip(2),
        3 => a.Flip(1, 2),
        4 => a.Flip(1),
        5 => a.Transpose(1, 2).Contiguous(),
        6 => Flipped(a.Transpose(1, 2), 2),
        7 => Flipped(a.Transpose(1, 2), 1, 2),
        _ => Flipped(a.Transpose(1, 2), 1),
    };

    private static Tensor Flipped(Tensor t, params long[] dims)
    {
        using (t) return t.Flip(dims);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void EveryOrientationIsApplied(int orientation)
    {
        byte[] jpeg = JpegExif.WithOrientation(CornerJpeg(), orientation);
        using var stored = ImageReader.Decode(jpeg, options: new ImageReadOptions(ApplyExifOrientation: false));
        Assert.Equal([1, 16, 24], stored.Pixels.Shape);
        using var shown = ImageReader.Decode(jpeg, $"o{orientation}.jpg");
        Assert.Equal((ExifOrientation)orientation, shown.Info.Orientation);
        using var expected = Expected(stored.Pixels, orientation);
        Assert.Equal(expected.Shape, shown.Pixels.Shape);
        Assert.True(expected.Equal(shown.Pixels));

        var info = ImageReader.ReadInfo(jpeg);
        Assert.Equal(orientation >= 5 ? (16, 24) : (24, 16), (info.Width, info.Height));
        var storedInfo = ImageReader.ReadInfo(jpeg, applyExifOrientation: false);
        Assert.Equal((24, 16), (storedInfo.Width, storedInfo.Height));
    }

    [Theory]
    // Where the bright stored top-left block is shown, as (row, column) of the displayed image's quadrant.
    [InlineData(3, true, true)]      // rotate 180: bottom-right
    [InlineData(6, false, true)]     // rotate 90° clockwise: top-right
    [InlineData(8, true, false)]     // rotate 90° counter-clockwise: bottom-left
    [InlineData(5, false, false)]    // transpose: stays top-left
    [InlineData(7, true, true)]      // transverse: bottom-right
    public void RotationDirectionsMatchTheExifDefinition(int orientation, bool bottom, bool right)
    {
        byte[] jpeg = JpegExif.WithOrientation(CornerJpeg(), orientation, bigEndian: true);
        using var folder = new Synthetic.TempFolder();
        string path = folder.PathOf("rotated.jpg");
        File.WriteAllBytes(path, jpeg);
        using var shown = ImageReader.ReadTensor(path);
        int h = (int)shown.Size(1), w = (int)shown.Size(2);
        var pixels = shown.ToArray<byte>();
        int y = bottom ? h - 4 : 3, x = right ? w - 4 : 3;
        Assert.InRange(pixels[y * w + x], 230, 255);
        Assert.InRange(pixels[(h - 1 - y) * w + (w - 1 - x)], 0, 100);
    }

    [Fact]
    public void InvalidOrientationValuesAreIgnored()
    {
        byte[] jpeg = JpegExif.WithOrientation(CornerJpeg(), 9);
        Assert.Equal(ExifOrientation.Normal, ImageReader.ReadInfo(jpeg).Orientation);
        using var image = ImageReader.Decode(jpeg);
        Assert.Equal([1, 16, 24], image.Pixels.Shape);
    }
}
