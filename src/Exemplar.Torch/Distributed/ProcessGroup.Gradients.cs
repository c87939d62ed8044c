namespace Exemplar.Torch.Distributed;

/// <summary>Data-parallel training on top of the collectives: synchronised initial weights and averaged gradients.</summary>
public sealed partial class ProcessGroup
{
    /// <summary>The default bucket size of <see cref="AverageGradients"/>: 25 MiB, as PyTorch's DistributedDataParallel.</summary>
    public const long DefaultBucketBytes = 25L * 1024 * 1024;

    /// <summary>
    /// Overwrites every parameter, in place, with rank <paramref name="root"/>'s values, so that all ranks start from the
    /// same weights. Every rank passes the same parameters (shapes, dtypes) in the same order.
    /// </summary>
    public void BroadcastParameters(IEnumerable<Tensor> parameters, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var p in parameters) Broadcast(p, root);
    }

    /// <summary>
    /// Replaces the gradient (<see cref="Tensor.Grad"/>) of every parameter by its mean over all ranks. The gradients are
    /// packed, in parameter order, into contiguous buckets of at most <paramref name="bucketBytes"/> bytes (one dtype per
    /// bucket; a larger parameter gets a bucket of its own), with one all-reduce per bucket. Every rank passes the same
    /// parameters (shapes, dtypes) in the same order.
    /// </summary>
    /// <remarks>
    /// A parameter without a gradient on some rank (unused in that rank's forward pass) counts as a zero gradient there,
    /// so the mean always divides by <see cref="WorldSize"/>, and that rank receives the averaged gradient too: all ranks
    /// end with the same gradients and take the same optimizer step. A parameter without a gradient on every rank keeps
    /// none. This costs one extra small all-reduce (which parameters have a gradient, per rank).
    /// </remarks>
    public void AverageGradients(IEnumerable<Tensor> parameters, long bucketBytes = DefaultBucketBytes)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (bucketBytes < 1) throw new ArgumentOutOfRangeException(nameof(bucketBytes), bucketBytes, "at least one byte");
        var ps = parameters.ToArray();
        if (ps.Length == 0) return;
        using var noGrad = LibTorch.NoGrad();
        using var scope = DisposeScope.Begin();
        var grads = new Tensor?[ps.Length];
        var present = new double[ps.Length];
        for (int k = 0; k < ps.Length; k++)
        {
            grads[k] = ps[k].Grad;
            present[k] = grads[k] is null ? 0 : 1;
        }
        // Bucket layouts must be identical on every rank: agree first on which parameters have a gradient anywhere.
        var counts = Tensor.From(present, ps.Length);
        AllReduceSum(counts);
        var withGradient = counts.ToArray<double>();

        foreach (var bucket in Buckets(ps, withGradient, bucketBytes))
        {
            ReduceBucket(ps, grads, bucket);
        }
    }

    private void ReduceBucket(Tensor[] ps, Tensor?[] grads, List<int> bucket)
    {
        using var scope = DisposeScope.Begin();
        var flats = new Tensor[bucket.Count];
        for (int j = 0; j < bucket.Count; j++)
        {
            var p = ps[bucket[j]];
            flats[j] = grads[bucket[j]] is { } g ? g.Reshape(-1) : Tensor.Zeros([p.NumEl], p.DType, p.Device);
        }
        var buffer = Tensor.Cat(flats);
        AllReduceSum(buffer);
        // Division, not multiplication by 1/WorldSize: the mean is then exactly (g0 + ... + gn-1) / n, as in PyTorch's DDP.
        Ops.Call("aten::div_", "Scalar", buffer, (double)WorldSize);
        long offset = 0;
        foreach (int k in bucket)
        {
            var p = ps[k];
            long n = p.NumEl;
            var mean = buffer.Narrow(0, offset, n).View(p.Shape);
            offset += n;
            if (grads[k] is { } g) g.Copy_(mean);
            else p.SetGrad(mean.Clone()); // its own storage: the bucket is freed with this scope
        }
    }

    /// <summary>Groups the parameters that have a gradient on some rank into buckets (indices), in order.</summary>
    internal static IEnumerable<List<int>> Buckets(Tensor[] ps, double[] withGradient, long bucketBytes)
    {
        var bucket = new List<int>();
        long bytes = 0;
        DType dtype = default;
        for (int k = 0; k < ps.Length; k++)
        {
            if (withGradient[k] == 0) continue;
            var p = ps[k];
            long size = p.NumEl * p.DType.ElementSize();
            if (bucket.Count > 0 && (p.DType != dtype || bytes + size > bucketBytes))
            {
                yield return bucket;
                bucket = [];
                bytes = 0;
            }
            bucket.Add(k);
            bytes += size;
            dtype = p.DType;
        }
        if (bucket.Count > 0) yield return bucket;
    }
}
