namespace Exemplar.Torch.Tests;

public class SmokeTests
{
    [Fact]
    public void AddsTwoTensors()
    {
        using var a = Tensor.From([1f, 2f, 3f]);
        using var b = Tensor.From([10f, 20f, 30f]);
        using var c = a + b;
        Assert.Equal([11f, 22f, 33f], c.ToArray<float>());
    }
}
