using Exemplar.Torch;
using Exemplar.Vision.Transforms;

namespace Exemplar.Vision.Tests.Transforms;

public class ComposeTests
{
    private static Compose TrainingPipeline() => new(
        new ScaleJitter(new ScaleJitterOptions { MinScale = 0.75, MaxScale = 1.25 }),
        new RandomRotate(new RandomRotateOptions { Probability = 1, MinDegrees = -20, MaxDegrees = 20 }),
        new RandomResizedCrop(new RandomResizedCropOptions(32, 32)),
        new RandomFlip(),
        new PhotometricDistortion(),
        new ResizeLongestSidePad(new ResizePadOptions { Size = 40 }),
        new Normalize());

    [Fact]
    public void SameSeedSameSampleDifferentSeedsDifferentSamples()
    {
        using var sample = TestSamples.Random(30, 45, [0, 1, 2], seed: 4);
        var pipeline = TrainingPipeline();
        using var a = pipeline.Apply(sample, new Random(2024));
        using var b = pipeline.Apply(sample, new Random(2024));
        using var c = pipeline.Apply(sample, new Random(2025));
        Assert.True(TestSamples.SameContent(a, b));
        Assert.False(a.Image.Equal(c.Image));
        Assert.Equal([3L, 40, 40], a.Image.Shape);
        Assert.Equal(DType.Float32, a.Image.DType);
        Assert.Equal([40L, 40], a.Mask.Shape);
        Assert.Equal(new ResizePadGeometry(32, 32, 40, 40, 40, 1.25), a.Metadata?.ResizePad);
    }

    [Fact]
    public void MasksOnlyEverHoldInputLabelsAndTheIgnoreValue()
    {
        var transforms = new ISegmentationTransform[]
        {
            new ScaleJitter(new ScaleJitterOptions { MinScale = 0.3, MaxScale = 3 }),
            new RandomRotate(new RandomRotateOptions { Probability = 1, MinDegrees = -180, MaxDegrees = 180 }),
            new RandomResizedCrop(new RandomResizedCropOptions(17, 23)),
            new RandomFlip(new RandomFlipOptions { VerticalProbability = 0.5 }),
            new PhotometricDistortion(new PhotometricDistortionOptions { Probability = 1 }),
            new ResizeLongestSidePad(new ResizePadOptions { Size = 29 }),
            new Normalize(),
            TrainingPipeline(),
        };
        using var sample = TestSamples.Random(21, 34, [3, 7, 42], seed: 8, DType.UInt8);
        var allowed = new SortedSet<long> { 3, 7, 42, 255 };
        foreach (var transform in transforms)
        {
            for (int seed = 0; seed < 6; seed++)
            {
                using var result = transform.Apply(sample, new Random(seed));
                Assert.Equal(DType.UInt8, result.Mask.DType);
                Assert.Equal(result.Image.Size(1), result.Mask.Size(0));
                Assert.Equal(result.Image.Size(2), result.Mask.Size(1));
                Assert.Subset(allowed, TestSamples.Labels(result.Mask));
            }
        }
    }

    [Fact]
    public void ThePipelineFreesItsIntermediateTensors()
    {
        using var sample = TestSamples.Random(30, 45, [0, 1], seed: 6);
        var pipeline = TrainingPipeline();
        using (pipeline.Apply(sample, new Random(0))) { }   // warm-up: lazily created native state
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = Tensor.LiveCount;
        for (int k = 0; k < 5; k++)
        {
            using var result = pipeline.Apply(sample, new Random(k));
        }
        Assert.Equal(before, Tensor.LiveCount);
    }

    [Fact]
    public void NullTransformsAreRejected() =>
        Assert.Throws<ArgumentException>(() => new Compose(new RandomFlip(), null!));
}
