namespace Exemplar.Runtime.Tests;

/// <summary><see cref="SegmentOptions.FlipTest"/> with the default bundle on the samples.</summary>
public sealed class FlipTestTests
{
    [Fact]
    public void FlipTestMakesTheResultMirrorSymmetric()
    {
        using var model = ExemplarModel.Load();
        using var prompt = model.Encode([new Example(Samples.PathOf("cat_00.jpg"), Samples.PathOf("cat_00.png"))]);
        var (rgba, w, h) = Rgba("cat_01.jpg");
        var image = ImageInput.FromPixels(rgba, w, h, PixelFormat.Rgba32);
        var mirrored = ImageInput.FromPixels(Mirror(rgba, w, h), w, h, PixelFormat.Rgba32);

        // The network is not symmetric: one pass on the mirror image is not the mirror of one pass...
        float plain = MaxMirrorDifference(model.Segment(prompt, image), model.Segment(prompt, mirrored));
        Assert.True(plain > 0.01f, $"plain passes differ by only {plain} under mirroring");
        // ...but the average of both views is (up to the restoration's rounding).
        var flip = new SegmentOptions { FlipTest = true };
        var once = model.Segment(prompt, image, flip);
        Assert.True(MaxMirrorDifference(once, model.Segment(prompt, mirrored, flip)) < 1e-3f);
        Assert.True(Samples.IoU(once.ClassMask(0), Samples.Truth("cat_01.png")) > 0.75);
    }

    private static (byte[] Rgba, int Width, int Height) Rgba(string name)
    {
        using var bitmap = SkiaSharp.SKBitmap.Decode(Samples.PathOf(name)).Copy(SkiaSharp.SKColorType.Rgba8888);
        return (bitmap.Bytes, bitmap.Width, bitmap.Height);
    }

    private static byte[] Mirror(byte[] rgba, int w, int h)
    {
        var result = new byte[rgba.Length];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++) Array.Copy(rgba, 4 * (y * w + x), result, 4 * (y * w + w - 1 - x), 4);
        }
        return result;
    }

    /// <summary>The largest difference between <paramref name="a"/>'s scores and the mirror image of <paramref name="b"/>'s.</summary>
    private static float MaxMirrorDifference(SegmentResult a, SegmentResult b)
    {
        int w = a.Width, h = a.Height;
        var sa = a.Scores(0);
        var sb = b.Scores(0);
        float max = 0;
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++) max = Math.Max(max, Math.Abs(sa[y * w + x] - sb[y * w + w - 1 - x]));
        }
        return max;
    }
}
