using Exemplar.Vision.Datasets;

namespace Exemplar.Vision.Tests.Datasets;

/// <summary>Values pinned from NumPy 1.24's legacy RandomState (np.random.RandomState(seed)).</summary>
public class NumpyRandomStateTests
{
    [Fact]
    public void RawOutputsMatchMt19937SeededWithInitGenrand()
    {
        // RandomState(0).randint(0, 2**32, size=5, dtype=np.uint64): the raw 32-bit outputs.
        var random = new NumpyRandomState(0);
        Assert.Equal([2357136044u, 2546248239u, 3071714933u, 3626093760u, 2588848963u], Enumerable.Range(0, 5).Select(_ => random.NextUInt32()));
    }

    [Fact]
    public void PermutationMatchesNumPy()
    {
        Assert.Equal([2, 8, 4, 9, 1, 6, 7, 3, 0, 5], new NumpyRandomState(0).Permutation(10));
        Assert.Equal([993, 859, 298, 553, 672, 971, 27, 231], new NumpyRandomState(0).Permutation(1000)[..8]);
        Assert.Equal([0, 1, 5, 2, 4, 3, 6], new NumpyRandomState(42).Permutation(7));
        Assert.Empty(new NumpyRandomState(0).Permutation(0));
    }

    [Fact]
    public void ChoiceWithoutReplacementIsTheFirstOfAPermutation()
    {
        // np.random.seed(0); [np.random.choice(range(1, 11), 1, replace=False)[0] for _ in range(12)]
        var random = new NumpyRandomState(0);
        Assert.Equal([3, 4, 3, 7, 6, 2, 4, 1, 8, 2, 10, 5], Enumerable.Range(0, 12).Select(_ => random.ChoiceWithoutReplacement(10) + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => random.ChoiceWithoutReplacement(0));
    }

    [Fact]
    public void IntervalStaysInRange()
    {
        var random = new NumpyRandomState(7);
        Assert.Equal(0u, random.NextInterval(0));
        Assert.All(Enumerable.Range(0, 200).Select(_ => random.NextInterval(5)), v => Assert.InRange(v, 0u, 5u));
    }
}
