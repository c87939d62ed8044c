using Exemplar.Torch;
using Exemplar.Vision.Transforms;

namespace Exemplar.Vision.Tests.Transforms;

public class PhotometricDistortionTests
{
    [Fact]
    public void RgbToHsvMatchesColorsys()
    {
        // Python's colorsys.rgb_to_hsv for each column.
        float[] rgb = [1, 0, 0.5f, 0.2f, 0.9f, 0, /* G */ 0, 1, 0.5f, 0.4f, 0.3f, 0, /* B */ 0, 0, 0.5f, 0.8f, 0.6f, 0];
        float[] hsv =
        [
            0, 1 / 3f, 0, 0.6111111f, 0.9166667f, 0,
            1, 1, 0, 0.75f, 0.6666667f, 0,
            1, 1, 0.5f, 0.8f, 0.9f, 0,
        ];
        using var image = Tensor.From(rgb, 3, 1, 6);
        using var converted = ColorSpace.RgbToHsv(image);
        var actual = converted.ToArray<float>();
        for (int i = 0; i < hsv.Length; i++) Assert.Equal(hsv[i], actual[i], 5);
        using var back = ColorSpace.HsvToRgb(converted);
        var restored = back.ToArray<float>();
        for (int i = 0; i < rgb.Length; i++) Assert.Equal(rgb[i], restored[i], 5);
    }

    [Fact]
    public void HsvToRgbCoversEverySextant()
    {
        // Hues 0, 1/6, …, 5/6 at full saturation and value: red, yellow, green, cyan, blue, magenta.
        float[] hues = [0, 1 / 6f, 2 / 6f, 3 / 6f, 4 / 6f, 5 / 6f];
        using var hsv = Tensor.Stack([Tensor.From(hues, 1, 6), Tensor.Ones([1, 6]), Tensor.Ones([1, 6])], 0);
        using var rgb = ColorSpace.HsvToRgb(hsv);
        float[] expected = [1, 1, 0, 0, 0, 1, /* G */ 0, 1, 1, 1, 0, 0, /* B */ 0, 0, 0, 1, 1, 1];
        var actual = rgb.ToArray<float>();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 5);
    }

    [Fact]
    public void ZeroProbabilityChangesNothing()
    {
        using var sample = TestSamples.Random(6, 5, [0, 1], seed: 9);
        using var result = new PhotometricDistortion(new PhotometricDistortionOptions { Probability = 0 }).Apply(sample, new Random(4));
        Assert.True(TestSamples.SameContent(sample, result));
    }

    [Fact]
    public void BrightnessAloneShiftsEveryUnclippedPixelByTheSameWholeAmount()
    {
        var pixels = Enumerable.Range(0, 3 * 4 * 4).Select(i => (byte)(60 + i)).ToArray();  // 60..107: never clipped by ±32
        using var sample = new SegmentationSample(Tensor.From(pixels, 3, 4, 4), Tensor.Zeros([4, 4], DType.Int64));
        var options = new PhotometricDistortionOptions
        {
            Probability = 1, MinContrast = 1, MaxContrast = 1, MinSaturation = 1, MaxSaturation = 1, HueDelta = 0,
        };
        using var result = new PhotometricDistortion(options).Apply(sample, new Random(12));
        var shifted = result.Image.ToArray<byte>();
        var deltas = pixels.Zip(shifted, (a, b) => b - a).Distinct().ToArray();
        // uint8 images truncate as mmseg's astype(uint8): x + δ → floor(x + δ) = x + floor(δ) for integer x.
        Assert.Single(deltas);
        Assert.InRange(deltas[0], -32, 31);
        Assert.NotEqual(0, deltas[0]);
    }

    [Fact]
    public void SameSeedSameOutputDifferentSeedsDiffer()
    {
        using var sample = TestSamples.Random(8, 8, [0, 1], seed: 1);
        var distortion = new PhotometricDistortion(new PhotometricDistortionOptions { Probability = 1 });
        using var a = distortion.Apply(sample, new Random(5));
        using var b = distortion.Apply(sample, new Random(5));
        using var c = distortion.Apply(sample, new Random(6));
        Assert.True(TestSamples.SameContent(a, b));
        Assert.False(a.Image.Equal(c.Image));
        Assert.True(a.Mask.Equal(sample.Mask));
        Assert.Equal(DType.UInt8, a.Image.DType);
    }

    [Fact]
    public void FloatImagesStayInTheUnitRange()
    {
        using var image = Tensor.Rand([3, 8, 8], new Generator(2));
        using var sample = new SegmentationSample(image.Alias(), Tensor.Zeros([8, 8], DType.Int64));
        var distortion = new PhotometricDistortion(new PhotometricDistortionOptions { Probability = 1 });
        for (int seed = 0; seed < 4; seed++)
        {
            using var result = distortion.Apply(sample, new Random(seed));
            Assert.Equal(DType.Float32, result.Image.DType);
            Assert.All(result.Image.ToArray<float>(), v => Assert.InRange(v, 0f, 1f));
        }
    }
}
