using Exemplar.Torch;
using Exemplar.Vision.Transforms;

namespace Exemplar.Vision.Tests.Transforms;

public class NormalizeTests
{
    private static readonly byte[] Pixels = [0, 255, 51, 102, 128, 200]; // [3, 1, 2]: R, G, B rows

    // (x / 255 − mean) / std with ImageNet's statistics, by hand: e.g. G 51 → (0.2 − 0.456) / 0.224 = −8/7.
    private static readonly float[] Expected = [-2.1179039f, 2.2489083f, -1.1428571f, -0.25f, 0.42649237f, 1.6813943f];

    [Fact]
    public void NormalisesUInt8WithImageNetStatistics()
    {
        using var image = Tensor.From(Pixels, 3, 1, 2);
        using var normalized = Normalize.Forward(image, NormalizeOptions.ImageNet);
        Assert.Equal(DType.Float32, normalized.DType);
        AssertClose(Expected, normalized.ToArray<float>(), 1e-5f);
    }

    [Fact]
    public void FloatInputIsTakenToBeInTheUnitRange()
    {
        using var image = Tensor.From(Pixels.Select(p => p / 255f).ToArray(), 3, 1, 2);
        using var normalized = Normalize.Forward(image, NormalizeOptions.ImageNet);
        AssertClose(Expected, normalized.ToArray<float>(), 1e-5f);
    }

    [Fact]
    public void CustomStatisticsAndBatches()
    {
        var options = new NormalizeOptions([0.5, 0.5, 0.5], [0.5, 0.25, 1.0]);
        using var image = Tensor.From(new float[] { 0, 1, 0, 1, 0, 1, 1, 0.5f, 0.75f, 0.25f, 0.5f, 0 }, 2, 3, 1, 2);
        using var normalized = Normalize.Forward(image, options);
        Assert.Equal([2L, 3, 1, 2], normalized.Shape);
        // (x − 0.5) / std: channel 0 std 0.5, channel 1 std 0.25, channel 2 std 1.
        float[] expected = [-1, 1, -2, 2, -0.5f, 0.5f, 1, 0, 1, -1, 0, -0.5f];
        AssertClose(expected, normalized.ToArray<float>(), 1e-6f);
    }

    [Fact]
    public void InverseUndoesTheNormalisation()
    {
        using var image = Tensor.From(Pixels, 3, 1, 2);
        using var normalized = Normalize.Forward(image, NormalizeOptions.ImageNet);
        using var unit = Normalize.Inverse(normalized, NormalizeOptions.ImageNet);
        AssertClose(Pixels.Select(p => p / 255f).ToArray(), unit.ToArray<float>(), 1e-6f);
        using var back = Normalize.InverseToUInt8(normalized, NormalizeOptions.ImageNet);
        Assert.Equal(Pixels, back.ToArray<byte>());
    }

    [Fact]
    public void TheTransformLeavesTheMaskAlone()
    {
        using var sample = TestSamples.Ramp(2, 3);
        using var result = new Normalize().Apply(sample, new Random(1));
        Assert.True(result.Mask.Equal(sample.Mask));
        Assert.Equal(DType.Float32, result.Image.DType);
    }

    [Fact]
    public void BadStatisticsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new Normalize(new NormalizeOptions([0.5, 0.5], [1, 1])));
        Assert.Contains("positive", Assert.Throws<ArgumentException>(() => new Normalize(new NormalizeOptions([0, 0, 0], [1, 0, 1]))).Message);
        using var grey = Tensor.Zeros([1, 4, 4]);
        Assert.Contains("[3, H, W]", Assert.Throws<ArgumentException>(() => Normalize.Forward(grey, NormalizeOptions.ImageNet)).Message);
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
    }
}
