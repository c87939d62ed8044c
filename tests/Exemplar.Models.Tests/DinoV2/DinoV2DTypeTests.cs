using Exemplar.Models.DinoV2;
using Exemplar.Torch;
using Xunit.Abstractions;

namespace Exemplar.Models.Tests.DinoV2;

/// <summary>Reduced-precision inference stays close to float32 (the position-embedding interpolation runs in float32 either way).</summary>
public sealed class DinoV2DTypeTests(ITestOutputHelper output)
{
    /// <summary>On the non-square input, which interpolates the position embeddings (bfloat16 matmuls are slow on the CPU: one input is enough).</summary>
    [SharedFact(DinoV2Fixture.Registers)]
    public void BFloat16StaysCloseToFloat32() => AssertCloseInDType(DType.BFloat16, Device.Cpu, "in322x434");

    [CudaFact(DinoV2Fixture.Registers)]
    public void Float16OnCudaStaysCloseToFloat32()
    {
        AssertCloseInDType(DType.Float16, Device.Cuda(), "in322x434");
        AssertCloseInDType(DType.BFloat16, Device.Cuda(), "in322x434");
    }

    [Fact]
    public void Float16OnTheCpuIsAClearError()
    {
        using var scope = DisposeScope.Begin();
        using var model = new DinoVisionTransformer(new DinoV2Options(16, 1, 2) { ImageSize = 28 });
        model.To(DType.Float16);
        Assert.Equal(DType.Float16, model.DType);
        var e = Assert.Throws<NotSupportedException>(() => model.Forward(Tensor.Zeros([1, 3, 28, 28])));
        Assert.Contains("bfloat16", e.Message);
    }

    private void AssertCloseInDType(DType dtype, Device device, string input)
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        using var model = DinoV2Fixture.Model(DinoV2Fixture.Registers);
        model.To(device);
        var image = DinoV2Fixture.Tensors(DinoV2Fixture.Registers, "input")[input].To(device);
        using var reference = model.ForwardTokens(image);
        var referenceLayers = model.GetIntermediateLayers(image, 3, reshape: true);

        model.To(dtype);
        Assert.Equal(dtype, model.DType);
        Assert.Equal(DType.Float32, image.DType); // converted by the model
        using var reduced = model.ForwardTokens(image);
        Assert.Equal(dtype, reduced.PatchTokens.DType);
        var layers = model.GetIntermediateLayers(image, 3, reshape: true);

        double patches = Cosine(reduced.PatchTokens, reference.PatchTokens);
        double cls = Cosine(reduced.ClsToken, reference.ClsToken);
        double registers = Cosine(reduced.RegisterTokens, reference.RegisterTokens);
        double first = Cosine(layers[0].PatchTokens, referenceLayers[0].PatchTokens);
        output.WriteLine($"{dtype} on {device}, {input}: min cosine to float32 — patch tokens {patches:F5}, class {cls:F5}, registers {registers:F5}, block 0 maps {first:F5}");
        Assert.True(patches > 0.99 && cls > 0.99 && registers > 0.99 && first > 0.99, $"{dtype} drifted from float32");
    }

    /// <summary>The smallest cosine similarity between matching feature vectors (last dimension for tokens, channels for maps).</summary>
    private static double Cosine(Tensor a, Tensor b)
    {
        using var scope = DisposeScope.Begin();
        int dim = a.Dim == 4 ? 1 : -1;
        var x = a.To(DType.Float32);
        var y = b.To(DType.Float32);
        var cosine = (x * y).Sum(dim) / ((x * x).Sum(dim).Sqrt() * (y * y).Sum(dim).Sqrt());
        return cosine.Min().ToDouble();
    }
}
