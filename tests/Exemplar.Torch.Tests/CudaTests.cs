namespace Exemplar.Torch.Tests;

/// <summary>A fact that runs only where libtorch sees a CUDA device (a CUDA build of the shim); skipped visibly elsewhere.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!LibTorch.CudaAvailable) Skip = $"no CUDA device (libtorch {LibTorch.Version} sees none): build with LIBTORCH_DIR pointing at a CUDA libtorch on a GPU machine";
    }
}

public class CudaTests
{
    [CudaFact]
    public void TensorsRoundTripThroughTheGpuAndOperatorsRunThere()
    {
        using var scope = DisposeScope.Begin();
        var device = Device.Cuda(0);
        var a = Tensor.Arange(0, 6, 1).Reshape(2, 3).To(device);
        Assert.Equal(device, a.Device);
        var b = a.Matmul(a.Transpose(0, 1));
        Assert.Equal(device, b.Device);
        Assert.Equal([5f, 14f, 14f, 50f], b.Cpu().ToArray<float>());
        var half = a.To(DType.Float16);
        Assert.Equal(DType.Float16, (half * 2.0).DType);
        LibTorch.CudaSynchronize();
    }

    [CudaFact]
    public void GradientsFlowOnTheGpu()
    {
        using var scope = DisposeScope.Begin();
        var w = Tensor.Ones([3], device: Device.Cuda(0)).RequiresGrad_();
        (w * w).Sum().Backward();
        Assert.Equal([2f, 2f, 2f], w.Grad!.Cpu().ToArray<float>());
    }

    [Fact]
    public void CudaQueriesAnswerWithoutCuda()
    {
        Assert.True(LibTorch.CudaDeviceCount >= 0);
        Assert.Equal(LibTorch.CudaAvailable, LibTorch.CudaDeviceCount > 0);
        LibTorch.CudaSynchronize(); // a no-op without CUDA
    }
}
