namespace Exemplar.Training.Tests.Reference;

/// <summary>The committed reference is the one the issue asks for: PyTorch 1.13, every optimizer over 50 steps.</summary>
public sealed class ReferenceTests
{
    [Fact]
    public void ComesFromPyTorch113With50StepsPerOptimizer()
    {
        var reference = PyTorchReference.Instance;
        Assert.StartsWith("1.13", reference.TorchVersion, StringComparison.Ordinal);
        Assert.All(reference.Optimizers, o => Assert.Equal(50, o.Trajectory.Count));
        Assert.Equal(["sgd", "adam", "adamw"], reference.Optimizers.Select(o => o.Name).Where(n => n is "sgd" or "adam" or "adamw"));
    }
}
