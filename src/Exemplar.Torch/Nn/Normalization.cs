namespace Exemplar.Torch.Nn;

/// <summary>
/// Batch normalisation of [N, C, H, W] per channel, with running statistics (updated in training mode, used in
/// evaluation mode) and torchvision's <c>num_batches_tracked</c> buffer.
/// </summary>
public sealed class BatchNorm2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer: weight 1, bias 0, running mean 0, running variance 1.</summary>
    public BatchNorm2d(long channels, double eps = 1e-5, double momentum = 0.1, bool affine = true)
    {
        (Eps, Momentum) = (eps, momentum);
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones([channels]));
            Bias = RegisterParameter("bias", Tensor.Zeros([channels]));
        }
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros([channels]));
        RunningVar = RegisterBuffer("running_var", Tensor.Ones([channels]));
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Zeros([], DType.Int64));
    }

    /// <summary>[C] scale, or null without affine.</summary>
    public Tensor? Weight { get; }

    /// <summary>[C] shift, or null without affine.</summary>
    public Tensor? Bias { get; }

    /// <summary>[C].</summary>
    public Tensor RunningMean { get; }

    /// <summary>[C].</summary>
    public Tensor RunningVar { get; }

    /// <summary>0-D int64 count of training batches seen.</summary>
    public Tensor NumBatchesTracked { get; }

    /// <summary>Added to the variance.</summary>
    public double Eps { get; }

    /// <summary>Running-statistics update rate.</summary>
    public double Momentum { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (Training)
        {
            using var noGrad = LibTorch.NoGrad();
            using var _ = Ops.Call(AddScalarInPlace, NumBatchesTracked, 1L);
        }
        return Functional.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, Training, Momentum, Eps);
    }

    private static readonly Op AddScalarInPlace = Op.Get("aten::add_", "Scalar");
}

/// <summary>Layer normalisation over the last dimensions (shape <c>normalizedShape</c>).</summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer: weight 1, bias 0.</summary>
    public LayerNorm(long[] normalizedShape, double eps = 1e-5, bool affine = true)
    {
        (NormalizedShape, Eps) = (normalizedShape, eps);
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(normalizedShape));
            Bias = RegisterParameter("bias", Tensor.Zeros(normalizedShape));
        }
    }

    /// <summary>Creates the layer over one last dimension of size <paramref name="features"/>.</summary>
    public LayerNorm(long features, double eps = 1e-5) : this([features], eps)
    {
    }

    /// <summary>The normalised trailing shape.</summary>
    public long[] NormalizedShape { get; }

    /// <summary>Scale, or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>Shift, or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Added to the variance.</summary>
    public double Eps { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.LayerNorm(input, NormalizedShape, Weight, Bias, Eps);
}

/// <summary>Group normalisation of [N, C, …] in groups of channels.</summary>
public sealed class GroupNorm : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer: weight 1, bias 0.</summary>
    public GroupNorm(int groups, long channels, double eps = 1e-5, bool affine = true)
    {
        if (channels % groups != 0) throw new ArgumentException($"channels ({channels}) must be divisible by groups ({groups})");
        (Groups, Eps) = (groups, eps);
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones([channels]));
            Bias = RegisterParameter("bias", Tensor.Zeros([channels]));
        }
    }

    /// <summary>Number of groups.</summary>
    public int Groups { get; }

    /// <summary>Scale [C], or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>Shift [C], or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Added to the variance.</summary>
    public double Eps { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.GroupNorm(input, Groups, Weight, Bias, Eps);
}
