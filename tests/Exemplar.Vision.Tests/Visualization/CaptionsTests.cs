using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Visualization;

namespace Exemplar.Vision.Tests.Visualization;

public class CaptionsTests
{
    private static byte[] Pixel(byte[] rgb, int height, int width, int x, int y)
    {
        int n = height * width, i = y * width + x;
        return [rgb[i], rgb[n + i], rgb[2 * n + i]];
    }

    [Fact]
    public void TitlesAreDrawnInABarAboveThePicture()
    {
        using var image = Tensor.Full([3, 10, 40], 100, DType.UInt8);
        using var titled = Captions.AddTitle(image, "I");
        // Scale 1: 7 rows of glyph and 2 of padding either side.
        Assert.Equal([3L, 21, 40], titled.Shape);
        var rgb = titled.ToArray<byte>();
        // 'I' starts at (2, 2): its top row is .###. → columns 3, 4, 5 white, 2 and 6 the bar's dark gray.
        Assert.Equal(new byte[] { 255, 255, 255 }, Pixel(rgb, 21, 40, 4, 2));
        Assert.Equal(new byte[] { 255, 255, 255 }, Pixel(rgb, 21, 40, 3, 2));
        Assert.Equal(new byte[] { 32, 32, 32 }, Pixel(rgb, 21, 40, 2, 2));
        Assert.Equal(new byte[] { 32, 32, 32 }, Pixel(rgb, 21, 40, 3, 3)); // second row ..#..
        Assert.Equal(new byte[] { 255, 255, 255 }, Pixel(rgb, 21, 40, 4, 3));
        // The picture itself moved down, unchanged.
        Assert.Equal(new byte[] { 100, 100, 100 }, Pixel(rgb, 21, 40, 0, 11));
    }

    [Fact]
    public void LegendsShowEachClassColourAndWrap()
    {
        using var image = Tensor.Full([3, 10, 60], 100, DType.UInt8);
        using var one = Captions.AddLegend(image, ["car"]);
        Assert.Equal([3L, 10 + 9 + 2, 60], one.Shape);
        // Swatch of class 0 (label 1, VOC red) at (2, 12).
        Assert.Equal(new byte[] { 128, 0, 0 }, Pixel(one.ToArray<byte>(), 21, 60, 2, 12));
        using var two = Captions.AddLegend(image, ["road", "pedestrian"]);
        var rgb = two.ToArray<byte>();
        Assert.Equal([3L, 10 + 2 * 9 + 2, 60], two.Shape); // too wide for one line
        Assert.Equal(new byte[] { 0, 128, 0 }, Pixel(rgb, 30, 60, 2, 21)); // label 2, VOC green, second line
    }

    [Fact]
    public void SingleClassContoursContrastWithWhatIsUnderThem()
    {
        // A red object under the (red) class colour: the contour is white over it, black over a bright one.
        var labels = new long[25];
        for (int y = 1; y <= 3; y++)
            for (int x = 1; x <= 3; x++)
                labels[y * 5 + x] = 1;
        using var mask = Tensor.From(labels, 5, 5);
        using var red = Tensor.From(Enumerable.Repeat((byte)200, 25).Concat(new byte[50]).ToArray(), 3, 5, 5);
        using var onRed = MaskOverlay.Draw(red, mask, OverlayOptions.SingleClass);
        Assert.Equal(new byte[] { 255, 255, 255 }, Pixel(onRed.ToArray<byte>(), 5, 5, 1, 1));
        using var bright = Tensor.Full([3, 5, 5], 240, DType.UInt8);
        using var onBright = MaskOverlay.Draw(bright, mask, OverlayOptions.SingleClass);
        Assert.Equal(new byte[] { 0, 0, 0 }, Pixel(onBright.ToArray<byte>(), 5, 5, 1, 1));
        using var classColour = MaskOverlay.Draw(red, mask);
        Assert.Equal(new byte[] { 128, 0, 0 }, Pixel(classColour.ToArray<byte>(), 5, 5, 1, 1));
    }

    [Fact]
    public void EpisodePicturesGetPanelTitlesAndALegend()
    {
        using var image = Tensor.Full([3, 20, 30], 90, DType.UInt8);
        using var mask = Tensor.Zeros([20, 30], DType.Int64);
        using var plain = EpisodeVisualizer.Render([new AnnotatedImage(image, mask)], image, mask, mask);
        using var captioned = EpisodeVisualizer.Render([new AnnotatedImage(image, mask)], image, mask, mask, captions: new EpisodeCaptions(["duck"], "IoU 50"));
        Assert.Equal(plain.Size(2), captioned.Size(2));
        Assert.Equal(plain.Size(1) + 11 + 11, captioned.Size(1)); // a title bar above, a legend below
    }
}
