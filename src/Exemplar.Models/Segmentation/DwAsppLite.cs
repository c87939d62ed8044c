using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.Segmentation;

/// <summary>
/// ASPP-lite, the receptive-field block of TI's lite decoders (their <c>DWASPPLiteBlock</c>, without the image-pooling
/// branch, as all their MobileNetV2 models use it): four parallel branches on the deep map, a 1×1 convolution and three
/// depthwise-separable 3×3 convolutions dilated by 6, 12 and 18 (each with batch norm and activation), concatenated,
/// channel dropout 0.2 in training, and a 1×1 convolution + batch norm + activation:
/// [N, in, h, w] → [N, out, h, w]. The depthwise dilated convolutions replace DeepLabV3's dense ones at a fraction of
/// the cost.
/// </summary>
public sealed class DwAsppLite : Module<Tensor, Tensor>
{
    /// <summary>Builds the block with PyTorch's default initialisation.</summary>
    /// <param name="inChannels">Channels of the deep map.</param>
    /// <param name="branchChannels">Channels of each branch (TI: 256 at width 1.0).</param>
    /// <param name="outChannels">Channels after the projection (TI: 256 at width 1.0).</param>
    /// <param name="activation">Activation after every convolution (TI: ReLU; ReLU6 for MobileNetV2-1.4).</param>
    /// <param name="dilations">Dilations of the three separable branches (TI: 6, 12, 18).</param>
    public DwAsppLite(long inChannels, long branchChannels, long outChannels, ActivationKind activation = ActivationKind.Relu, IReadOnlyList<int>? dilations = null)
    {
        dilations ??= [6, 12, 18];
        Pointwise = RegisterModule("conv1x1", LiteLayers.ConvNormAct(inChannels, branchChannels, 1, activation));
        Dilated = RegisterModule("dilated", new ModuleList<Sequential>(dilations.Select(d => LiteLayers.DepthwiseSeparable(inChannels, branchChannels, activation, d))));
        Dropout = RegisterModule("dropout", new Dropout2d(0.2));
        Project = RegisterModule("project", LiteLayers.ConvNormAct(branchChannels * (1 + dilations.Count), outChannels, 1, activation));
        OutChannels = outChannels;
    }

    /// <summary>The 1×1 branch.</summary>
    public Sequential Pointwise { get; }

    /// <summary>The dilated depthwise-separable branches.</summary>
    public ModuleList<Sequential> Dilated { get; }

    /// <summary>Channel dropout on the concatenated branches.</summary>
    public Dropout2d Dropout { get; }

    /// <summary>1×1 projection of the concatenation.</summary>
    public Sequential Project { get; }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <summary>[N, in, h, w] → [N, out, h, w].</summary>
    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Begin();
        var branches = new List<Tensor> { Pointwise.Forward(input) };
        branches.AddRange(Dilated.Select(b => b.Forward(input)));
        var x = Dropout.Forward(Tensor.Cat(branches.ToArray(), 1));
        return Project.Forward(x).MoveToOuterScope();
    }
}
