using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.ResNet;

/// <summary>
/// torchvision's ResNet bottleneck (v1.5: the stride sits on the 3x3 convolution): 1x1 → 3x3 → 1x1 (×4 channels), with a
/// projection shortcut (<c>downsample.0</c> conv, <c>downsample.1</c> BN) when the shape changes: [N, in, H, W] → [N, 4·width, H/s, W/s].
/// A dilated block (torchvision's <c>replace_stride_with_dilation</c>) pads its 3x3 convolution by the dilation, so the
/// size is kept.
/// </summary>
public sealed class Bottleneck : Module<Tensor, Tensor>
{
    /// <summary>Output channels per unit of width.</summary>
    public const int Expansion = 4;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="width">Inner width (output is 4·width).</param>
    /// <param name="stride">Stride of the 3x3 convolution and of the shortcut.</param>
    /// <param name="dilation">Dilation (and padding) of the 3x3 convolution.</param>
    public Bottleneck(long inChannels, long width, int stride, int dilation = 1)
    {
        Conv1 = RegisterModule("conv1", new Conv2d(inChannels, width, 1, bias: false));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(width));
        Conv2 = RegisterModule("conv2", new Conv2d(width, width, 3, stride: stride, padding: dilation, dilation: dilation, bias: false));
        Bn2 = RegisterModule("bn2", new BatchNorm2d(width));
        Conv3 = RegisterModule("conv3", new Conv2d(width, width * Expansion, 1, bias: false));
        Bn3 = RegisterModule("bn3", new BatchNorm2d(width * Expansion));
        if (stride != 1 || inChannels != width * Expansion)
        {
            Downsample = RegisterModule("downsample", new Sequential(
                new Conv2d(inChannels, width * Expansion, 1, stride: stride, bias: false),
                new BatchNorm2d(width * Expansion)));
        }
    }

    /// <summary>1x1 reduction.</summary>
    public Conv2d Conv1 { get; }

    /// <summary>Its batch norm.</summary>
    public BatchNorm2d Bn1 { get; }

    /// <summary>3x3 (strided or dilated) convolution.</summary>
    public Conv2d Conv2 { get; }

    /// <summary>Its batch norm.</summary>
    public BatchNorm2d Bn2 { get; }

    /// <summary>1x1 expansion.</summary>
    public Conv2d Conv3 { get; }

    /// <summary>Its batch norm (torchvision initialises it to zero only when asked; we keep 1).</summary>
    public BatchNorm2d Bn3 { get; }

    /// <summary>Projection shortcut, or null for identity.</summary>
    public Sequential? Downsample { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Begin();
        var h = Functional.Relu(Bn1.Forward(Conv1.Forward(input)));
        h = Functional.Relu(Bn2.Forward(Conv2.Forward(h)));
        h = Bn3.Forward(Conv3.Forward(h));
        var shortcut = Downsample?.Forward(input) ?? input;
        return Functional.Relu(h + shortcut).MoveToOuterScope();
    }
}
