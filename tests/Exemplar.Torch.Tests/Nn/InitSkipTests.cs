using Exemplar.Torch.Nn;

namespace Exemplar.Torch.Tests.Nn;

public sealed class InitSkipTests
{
    [Fact]
    public void FillsDoNothingInsideNestedSkipScopesOnly()
    {
        using var scope = DisposeScope.Begin();
        var t = Tensor.Full([4], 3.0);
        using (Init.Skip())
        {
            var inner = Init.Skip();
            Init.Constant_(t, 5);
            Init.Uniform_(t, -1, 1);
            Init.TruncNormal_(t, std: 0.02);
            inner.Dispose();
            inner.Dispose(); // a second dispose does not end the outer scope
            Init.KaimingUniform_(Tensor.Zeros([2, 2]), a: 1);
            Init.Normal_(t);
            Assert.True(Init.Skipping);
            Assert.Equal([3f, 3, 3, 3], t.ToArray<float>());
        }
        Assert.False(Init.Skipping);
        Init.Constant_(t, 5);
        Assert.Equal([5f, 5, 5, 5], t.ToArray<float>());
    }

    [Fact]
    public void LayersBuiltWhileSkippingDrawNoRandomNumbers()
    {
        using var scope = DisposeScope.Begin();
        LibTorch.ManualSeed(11);
        var expected = Tensor.Rand([3]).ToArray<float>();
        LibTorch.ManualSeed(11);
        using (Init.Skip())
        {
            using var linear = new Linear(64, 64);
            using var conv = new Conv2d(3, 8, 3);
        }
        Assert.Equal(expected, Tensor.Rand([3]).ToArray<float>()); // the generator did not advance
    }
}
