using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.MobileNet;

/// <summary>
/// MobileNetV2's inverted residual block with batch norm folded into the convolutions: [N, in, H, W] →
/// [N, out, H/stride, W/stride]. 1×1 expansion to in·t channels + ReLU6 (omitted when t = 1), 3×3 depthwise + ReLU6,
/// 1×1 linear projection; the input is added back when stride is 1 and in = out. Child names follow torchvision
/// (<c>conv.0.0</c>, <c>conv.1.0</c>, <c>conv.2</c>), so the convolution keys match its checkpoints.
/// </summary>
public sealed class InvertedResidual : Module<Tensor, Tensor>
{
    private readonly List<(string Name, Conv2d Conv, bool Relu6)> _convolutions = [];

    /// <summary>Creates the block with PyTorch's default initialisation.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="stride">1 or 2 (the depthwise convolution's stride).</param>
    /// <param name="expandRatio">t: hidden channels = in · t.</param>
    /// <param name="dilation">Dilation of the depthwise convolution (2 after a stride turned into dilation).</param>
    public InvertedResidual(long inChannels, long outChannels, int stride, int expandRatio, int dilation = 1)
    {
        if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), stride, "must be 1 or 2");
        if (expandRatio < 1) throw new ArgumentOutOfRangeException(nameof(expandRatio), expandRatio, "must be at least 1");
        if (dilation < 1) throw new ArgumentOutOfRangeException(nameof(dilation), dilation, "must be at least 1");
        (InChannels, OutChannels, Stride, ExpandRatio) = (inChannels, outChannels, stride, expandRatio);
        long hidden = inChannels * expandRatio;
        var layers = new Sequential();
        if (expandRatio != 1) layers.Append(ConvRelu6(inChannels, hidden, 1, 1, 1));
        layers.Append(ConvRelu6(hidden, hidden, 3, stride, (int)hidden, dilation));
        var project = new Conv2d(hidden, outChannels, 1);
        layers.Append(project);
        Conv = RegisterModule("conv", layers);

        for (int i = 0; i < layers.Count - 1; i++) _convolutions.Add(($"conv.{i}.0", (Conv2d)((Sequential)layers[i])[0], true));
        _convolutions.Add(($"conv.{layers.Count - 1}", project, false));
    }

    /// <summary>Input channels.</summary>
    public long InChannels { get; }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <summary>Spatial stride (1 or 2).</summary>
    public int Stride { get; }

    /// <summary>Channel expansion factor t.</summary>
    public int ExpandRatio { get; }

    /// <summary>Whether the input is added to the output (stride 1 and equal channels).</summary>
    public bool UsesResidual => Stride == 1 && InChannels == OutChannels;

    /// <summary>The layers: [expansion,] depthwise, projection.</summary>
    public Sequential Conv { get; }

    /// <summary>The convolutions in order, with their names relative to the block and whether ReLU6 follows.</summary>
    internal IReadOnlyList<(string Name, Conv2d Conv, bool Relu6)> Convolutions => _convolutions;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (!UsesResidual) return Conv.Forward(input);
        using var scope = DisposeScope.Begin();
        return (input + Conv.Forward(input)).MoveToOuterScope();
    }

    /// <summary>A convolution (bias on: batch norm is folded into it) followed by ReLU6, as torchvision's Conv2dNormActivation.</summary>
    internal static Sequential ConvRelu6(long inChannels, long outChannels, int kernelSize, int stride, int groups, int dilation = 1) =>
        new(new Conv2d(inChannels, outChannels, kernelSize, stride, padding: (kernelSize - 1) / 2 * dilation, dilation: dilation, groups: groups),
            new Activation(ActivationKind.Relu6));
}
