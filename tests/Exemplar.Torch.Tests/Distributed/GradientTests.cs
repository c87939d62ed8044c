using Exemplar.Torch.Distributed;

namespace Exemplar.Torch.Tests.Distributed;

/// <summary>Bucketed gradient averaging and parameter broadcast, the two steps of data-parallel training.</summary>
public class GradientTests
{
    private static readonly long[][] Shapes = [[3, 4], [7], [2, 2], [5], [2], [6]];
    private static readonly DType[] Types = [DType.Float32, DType.Float32, DType.Float64, DType.Float32, DType.Float32, DType.Float32];

    /// <summary>Parameter 3 has a gradient only on rank 0, parameter 4 on no rank.</summary>
    private static bool HasGradient(int rank, int k) => k != 4 && (k != 3 || rank == 0);

    private static Tensor[] Parameters()
    {
        var ps = new Tensor[Shapes.Length];
        for (int k = 0; k < ps.Length; k++) ps[k] = Tensor.Zeros(Shapes[k], Types[k]).RequiresGrad_();
        return ps;
    }

    /// <summary>Gives parameter k the gradient g (through backward of sum(p·g)) and returns g's values as doubles.</summary>
    private static double[] SetGradient(Tensor p, Generator g)
    {
        using var grad = Tensor.Randn(p.Shape, g, p.DType);
        using var product = p * grad;
        using var loss = product.Sum();
        loss.Backward();
        using var asDouble = grad.To(DType.Float64);
        return asDouble.ToArray<double>();
    }

    private static double[]? GradValues(Tensor p)
    {
        using var g = p.Grad;
        if (g is null) return null;
        using var d = g.To(DType.Float64);
        return d.ToArray<double>();
    }

    [Fact]
    public void SmallBucketsSplitByBytesAndDType()
    {
        using var scope = DisposeScope.Begin();
        var ps = Parameters();
        var present = new double[] { 1, 1, 2, 1, 0, 2 };
        // 48-byte [3,4] alone (over the limit), [7] float32 28 bytes, dtype change, [5] float32 then [6] (20 + 24 > 32).
        var buckets = ProcessGroup.Buckets(ps, present, bucketBytes: 32).ToList();
        Assert.Equal([[0], [1], [2], [3], [5]], buckets);
        var big = ProcessGroup.Buckets(ps, present, ProcessGroup.DefaultBucketBytes).ToList();
        Assert.Equal([[0, 1], [2], [3, 5]], big);
    }

    [Fact]
    public void AveragedGradientsAreExactlyTheMeanOfTheRanks()
    {
        var results = Ranks.Run(2, group =>
        {
            using var scope = DisposeScope.Begin();
            using var g = new Generator(100 + (ulong)group.Rank);
            var ps = Parameters();
            var before = new double[ps.Length][];
            for (int k = 0; k < ps.Length; k++)
            {
                before[k] = HasGradient(group.Rank, k) ? SetGradient(ps[k], g) : new double[ps[k].NumEl];
            }
            group.AverageGradients(ps, bucketBytes: 32);
            var after = ps.Select(GradValues).ToArray();
            var dtypes = ps.Select(p => { using var grad = p.Grad; return grad?.DType; }).ToArray();
            return (before, after, dtypes);
        });
        for (int k = 0; k < Shapes.Length; k++)
        {
            if (k == 4)
            {
                Assert.All(results, r => Assert.Null(r.after[k])); // no gradient anywhere: none after either
                continue;
            }
            var a = results[0].before[k];
            var b = results[1].before[k];
            // The mean in the parameter's own precision, as the all-reduce computes it: (a + b) / 2, one rounding each.
            var expected = Types[k] == DType.Float32
                ? a.Select((x, i) => (double)(((float)x + (float)b[i]) / 2f)).ToArray()
                : a.Select((x, i) => (x + b[i]) / 2).ToArray();
            foreach (var r in results)
            {
                Assert.Equal(expected, r.after[k]);
                Assert.Equal(Types[k], r.dtypes[k]);
            }
        }
    }

    [Fact]
    public void BroadcastParametersGivesEveryRankTheRootsWeights()
    {
        var results = Ranks.Run(2, group =>
        {
            using var g = new Generator(10 + (ulong)group.Rank);
            using var w = Tensor.Randn([3, 2], g).RequiresGrad_();
            using var b = Tensor.Randn([3], g, DType.Float64);
            var own = w.ToArray<float>();
            group.BroadcastParameters([w, b]);
            Assert.True(w.RequiresGrad);
            return (own, w: w.ToArray<float>(), b: b.ToArray<double>());
        });
        Assert.Equal(results[0].own, results[0].w);
        Assert.Equal(results[0].w, results[1].w);
        Assert.Equal(results[0].b, results[1].b);
        Assert.NotEqual(results[1].own, results[1].w);
    }
}
