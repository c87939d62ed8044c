using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.Segmentation;

/// <summary>
/// OTX's head for <c>dinov2-small-seg</c> (its <c>FCNHead</c> with <c>num_convs=1</c>, <c>kernel_size=1</c>,
/// <c>input_transform="resize_concat"</c>, <c>channels</c> = the concatenated width, no dropout): the patch maps of
/// several blocks are concatenated, go through one 1x1 convolution without bias and a batch norm (no activation:
/// OTX removes the last one), then the 1x1 classifier <c>conv_seg</c>: maps [N, D, h, w] × L → [N, classes, h, w].
/// Key names are OTX's: <c>convs.0.conv</c>, <c>convs.0.bn</c>, <c>conv_seg</c>.
/// </summary>
public sealed class DinoV2LinearHead : Module
{
    /// <summary>Builds it with PyTorch's default initialisation.</summary>
    /// <param name="inChannels">Channels of the concatenated maps (OTX: 4 × 384 = 1536).</param>
    /// <param name="classCount">Output classes.</param>
    public DinoV2LinearHead(long inChannels, int classCount)
    {
        Convs = RegisterModule("convs", new Sequential(new ConvNorm(inChannels, inChannels)));
        ConvSeg = RegisterModule("conv_seg", new Conv2d(inChannels, classCount, 1));
    }

    /// <summary>The 1x1 convolution and batch norm.</summary>
    public Sequential Convs { get; }

    /// <summary>The 1x1 classifier.</summary>
    public Conv2d ConvSeg { get; }

    /// <summary>Logits at the patch grid: maps of the same size [N, D_i, h, w] → [N, classes, h, w].</summary>
    public Tensor Forward(IReadOnlyList<Tensor> maps)
    {
        ArgumentNullException.ThrowIfNull(maps);
        using var scope = DisposeScope.Begin();
        // OTX's resize_concat resizes every map to the first one's size: all DINOv2 block outputs share the patch grid.
        var x = maps.Count == 1 ? maps[0] : Tensor.Cat([.. maps], 1);
        return ConvSeg.Forward(Convs.Forward(x)).MoveToOuterScope();
    }

    /// <summary>OTX's <c>Conv2dModule</c> with a norm and no activation: <c>conv</c> (no bias) then <c>bn</c>.</summary>
    private sealed class ConvNorm : Module<Tensor, Tensor>
    {
        private readonly Conv2d _conv;
        private readonly BatchNorm2d _bn;

        public ConvNorm(long inChannels, long outChannels)
        {
            _conv = RegisterModule("conv", new Conv2d(inChannels, outChannels, 1, bias: false));
            _bn = RegisterModule("bn", new BatchNorm2d(outChannels));
        }

        public override Tensor Forward(Tensor input)
        {
            using var scope = DisposeScope.Begin();
            return _bn.Forward(_conv.Forward(input)).MoveToOuterScope();
        }
    }
}
