using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Visualization;

namespace Exemplar.Vision.Tests.Visualization;

public class MaskOverlayTests
{
    /// <summary>A 5x5 gray-100 RGB image with class 1 on the 3x3 centre block and class 2 at the bottom-right pixel.</summary>
    private static (Tensor Image, Tensor Labels) Scene()
    {
        var image = Tensor.Full([3, 5, 5], 100, DType.UInt8);
        var labels = new long[25];
        for (int y = 1; y <= 3; y++)
            for (int x = 1; x <= 3; x++)
                labels[y * 5 + x] = 1;
        labels[24] = 2;
        return (image, Tensor.From(labels, 5, 5));
    }

    private static byte[] Pixel(byte[] rgb, int x, int y) => [rgb[y * 5 + x], rgb[25 + y * 5 + x], rgb[50 + y * 5 + x]];

    [Fact]
    public void BlendsTheClassColourInsideAndPaintsContoursOpaque()
    {
        var (image, labels) = Scene();
        using (image)
        using (labels)
        using (var overlay = MaskOverlay.Draw(image, labels))
        {
            Assert.Equal([3, 5, 5], overlay.Shape);
            var rgb = overlay.ToArray<byte>();
            // Centre (2, 2): class 1 = VOC (128, 0, 0) at alpha 0.5 over 100: (114, 50, 50).
            Assert.Equal(new byte[] { 114, 50, 50 }, Pixel(rgb, 2, 2));
            // The ring of class 1 around the centre is its contour: the colour itself.
            Assert.Equal(new byte[] { 128, 0, 0 }, Pixel(rgb, 1, 1));
            Assert.Equal(new byte[] { 128, 0, 0 }, Pixel(rgb, 3, 2));
            // Background is untouched; class 2 (VOC (0, 128, 0)) at the corner touches background: contour.
            Assert.Equal(new byte[] { 100, 100, 100 }, Pixel(rgb, 0, 0));
            Assert.Equal(new byte[] { 0, 128, 0 }, Pixel(rgb, 4, 4));
        }
    }

    [Fact]
    public void ContoursLieOnRegionBoundariesOnly()
    {
        var (image, labels) = Scene();
        using (image)
        using (labels)
        using (var contours = MaskOverlay.Contours(labels))
        {
            var c = contours.ToArray<bool>();
            for (int y = 0; y < 5; y++)
            {
                for (int x = 0; x < 5; x++)
                {
                    bool ring = x >= 1 && x <= 3 && y >= 1 && y <= 3 && !(x == 2 && y == 2);
                    bool corner = x == 4 && y == 4;
                    Assert.Equal(ring || corner, c[y * 5 + x]);
                }
            }
        }
    }

    [Fact]
    public void AlphaAndPaletteOptionsAndGrayImages()
    {
        using var gray = Tensor.Full([1, 2, 2], 10, DType.UInt8);
        using var labels = Tensor.From(new byte[] { 0, 3, 3, 3 }, 2, 2);
        var palette = new ImagePalette(Enumerable.Range(0, 4).Select(i => new Rgba32((byte)(i * 60), 200, 0)));
        using var overlay = MaskOverlay.Draw(gray, labels, new OverlayOptions(Alpha: 0.25, DrawContours: false, Palette: palette));
        var rgb = overlay.ToArray<byte>();
        // Pixel 1: 0.75·10 + 0.25·(180, 200, 0) = (52.5 → 53, 57.5 → 58, 7.5 → 8), halves away from zero.
        Assert.Equal(new byte[] { 10, 53, 10, 58, 10, 8 }, new[] { rgb[0], rgb[1], rgb[4], rgb[5], rgb[8], rgb[9] });

        using var all = MaskOverlay.Draw(gray, labels, new OverlayOptions(Alpha: 1, DrawContours: false, Palette: palette, BackgroundLabel: null));
        Assert.Equal((byte)0, all.ToArray<byte>()[0]); // label 0 painted with palette[0] = (0, 200, 0)
    }

    [Fact]
    public void IgnoredPixelsAreNotPaintedAndSizesMustAgree()
    {
        using var image = Tensor.Full([3, 1, 2], 50, DType.UInt8);
        using var labels = Tensor.From(new long[] { 255, 1 }, 1, 2);
        using var overlay = MaskOverlay.Draw(image, labels, new OverlayOptions(DrawContours: false));
        Assert.Equal(new byte[] { 50, 89, 50, 25, 50, 25 }, overlay.ToArray<byte>());
        using var wrong = Tensor.Zeros([2, 2], DType.Int64);
        Assert.Throws<ImageFormatException>(() => MaskOverlay.Draw(image, wrong));
        Assert.Throws<ArgumentOutOfRangeException>(() => MaskOverlay.Draw(image, labels, new OverlayOptions(Alpha: 1.5)));
    }
}
