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
    public Tensor? Bias { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on each side.</summary>
    public int Padding { get; }

    /// <summary>Dilation.</summary>
    public int Dilation { get; }

    /// <summary>Groups (in channels for a depthwise convolution).</summary>
    public int Groups { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
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
