namespace Exemplar.Torch.Nn;

/// <summary>2-D convolution: [N, in, H, W] → [N, out, H', W']. Weight [out, in/groups, k, k], bias [out].</summary>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer with PyTorch's default initialisation.</summary>
    public Conv2d(long inChannels, long outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1, bool bias = true)
    {
        if (inChannels % groups != 0 || outChannels % groups != 0) throw new ArgumentException($"channels ({inChannels}, {outChannels}) must be divisible by groups ({groups})");
        (Stride, Padding, Dilation, Groups) = (stride, padding, dilation, groups);
        Weight = RegisterParameter("weight", Tensor.Empty([outChannels, inChannels / groups, kernelSize, kernelSize]));
        Bias = bias ? RegisterParameter("bias", Tensor.Empty([outChannels])) : null;
        Init.LayerDefault_(Weight, Bias);
    }

    /// <summary>[out, in/groups, k, k].</summary>
    public Tensor Weight { get; }

    /// <summary>[out], or null.</summary>
    public Tensor? Bias { get; private set; }

    /// <summary>
    /// Fake quantisation of the input, the weight and the output (quantisation-aware training, calibrated
    /// post-training quantisation), or null for a plain float convolution.
    /// </summary>
    public IConvolutionQuantizer? Quantizer { get; set; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on each side.</summary>
    public int Padding { get; }

    /// <summary>Dilation.</summary>
    public int Dilation { get; }

    /// <summary>Groups (in channels for a depthwise convolution).</summary>
    public int Groups { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (Quantizer is not { } q) return Functional.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
        using var scope = DisposeScope.Begin();
        var output = Functional.Conv2d(q.Input(input), q.Weight(Weight), Bias, Stride, Padding, Dilation, Groups);
        return q.Output(output).MoveToOuterScope();
    }

    /// <summary>
    /// Folds a batch norm that follows this convolution into its weight and bias (evaluation-mode statistics):
    /// w' = w · γ/√(σ² + ε) per output channel, b' = (b − μ) · γ/√(σ² + ε) + β; a bias is added when there was none.
    /// The pair then computes in one layer what it computed in two (replace the batch norm with an Identity).
    /// </summary>
    /// <exception cref="ArgumentException">The batch norm's channel count is not this layer's output channel count.</exception>
    public void FoldBatchNorm(BatchNorm2d batchNorm)
    {
        long channels = Weight.Size(0);
        if (batchNorm.RunningMean.Size(0) != channels) throw new ArgumentException($"a batch norm of {batchNorm.RunningMean.Size(0)} channels cannot fold into a convolution with {channels} outputs", nameof(batchNorm));
        using var noGrad = LibTorch.NoGrad();
        using var scope = DisposeScope.Begin();
        var factor = (batchNorm.RunningVar + batchNorm.Eps).Rsqrt();
        if (batchNorm.Weight is { } gamma) factor = factor * gamma;
        var bias = Bias is null ? -batchNorm.RunningMean : Bias - batchNorm.RunningMean;
        bias = bias * factor;
        if (batchNorm.Bias is { } beta) bias = bias + beta;
        Weight.Copy_(Weight * factor.Reshape([channels, 1, 1, 1])).Dispose();
        if (Bias is null) Bias = RegisterParameter("bias", bias.Detach().Clone().DetachFromScope());
        else Bias.Copy_(bias).Dispose();
    }
}

/// <summary>
/// Fake quantisation around a convolution: what it does to the input, to the weight and to the output before and
/// after <see cref="Conv2d.Forward"/> computes. Implementations return new tensors (or aliases) the caller owns.
/// </summary>
public interface IConvolutionQuantizer
{
    /// <summary>The input as the convolution sees it, [N, in, H, W].</summary>
    Tensor Input(Tensor input);

    /// <summary>The weight as the convolution uses it, [out, in/groups, k, k].</summary>
    Tensor Weight(Tensor weight);

    /// <summary>The output as the next layer sees it, [N, out, H', W'].</summary>
    Tensor Output(Tensor output);
}

/// <summary>Transposed 2-D convolution: [N, in, H, W] → [N, out, H', W']. Weight [in, out/groups, k, k].</summary>
public sealed class ConvTranspose2d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer with PyTorch's default initialisation.</summary>
    public ConvTranspose2d(long inChannels, long outChannels, int kernelSize, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1, bool bias = true, int dilation = 1)
    {
        (Stride, Padding, OutputPadding, Groups, Dilation) = (stride, padding, outputPadding, groups, dilation);
        Weight = RegisterParameter("weight", Tensor.Empty([inChannels, outChannels / groups, kernelSize, kernelSize]));
        Bias = bias ? RegisterParameter("bias", Tensor.Empty([outChannels])) : null;
        Init.LayerDefault_(Weight, Bias);
    }

    /// <summary>[in, out/groups, k, k].</summary>
    public Tensor Weight { get; }

    /// <summary>[out], or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Padding removed from each side of the output.</summary>
    public int Padding { get; }

    /// <summary>Extra size added to one side of the output.</summary>
    public int OutputPadding { get; }

    /// <summary>Groups.</summary>
    public int Groups { get; }

    /// <summary>Dilation.</summary>
    public int Dilation { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation);
}
