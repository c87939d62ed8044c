using Exemplar.Torch;
using Exemplar.Vision.Transforms;

namespace Exemplar.Vision.Tests.Transforms;

/// <summary>Small samples for transform tests.</summary>
internal static class TestSamples
{
    /// <summary>A random uint8 image [3, H, W] and a mask [H, W] with labels drawn from <paramref name="labels"/>.</summary>
    internal static SegmentationSample Random(int height, int width, long[] labels, ulong seed, DType maskType = DType.Int64)
    {
        using var generator = new Generator(seed);
        using var scope = DisposeScope.Begin();
        var image = Tensor.Randint(0, 256, [3, height, width], generator, DType.UInt8).MoveToOuterScope();
        var picks = Tensor.Randint(0, labels.Length, [height, width], generator);
        var mask = Tensor.From(labels).IndexSelect(0, picks.Flatten()).Reshape(height, width).To(maskType).MoveToOuterScope();
        return new SegmentationSample(image, mask);
    }

    /// <summary>A sample whose image channels are (10·c + i·W + j) and whose mask is (i·W + j), for exact-position tests.</summary>
    internal static SegmentationSample Ramp(int height, int width)
    {
        var image = new byte[3 * height * width];
        var mask = new long[height * width];
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < height * width; i++) image[c * height * width + i] = (byte)(10 * c + i);
        }
        for (int i = 0; i < height * width; i++) mask[i] = i;
        return new SegmentationSample(Tensor.From(image, 3, height, width), Tensor.From(mask, height, width));
    }

    /// <summary>The distinct labels of a mask.</summary>
    internal static SortedSet<long> Labels(Tensor mask)
    {
        using var wide = mask.To(DType.Int64);
        return new SortedSet<long>(wide.ToArray<long>());
    }

    /// <summary>Whether two samples have equal images and masks.</summary>
    internal static bool SameContent(SegmentationSample a, SegmentationSample b) => a.Image.Equal(b.Image) && a.Mask.Equal(b.Mask);
}
