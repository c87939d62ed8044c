using Exemplar.Models.MobileNet;
using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.Segmentation;

/// <summary>
/// TI's UNetLite on MobileNetV2 (<c>unetlite_mobilenetv2</c>, their UNet-with-ASPP decoder): ASPP-lite on the
/// stride-32 map (<c>features.17</c>) to 256 channels, then at strides 16, 8, 4 and 2 (<c>features.13</c>, .6, .3,
/// .1) the running map is upsampled ×2, concatenated with the encoder map and merged by a depthwise-separable
/// convolution to max(encoder channels, max(2·classes, 32)) channels; a depthwise-separable prediction at stride 2 and
/// logits upsampled ×2 bilinearly. The merge widths grow with the class count, so its cost does too.
/// </summary>
public sealed class UNetLiteMobileNetV2 : MobileNetV2LiteNetwork
{
    /// <summary>features.1 (stride 2), .3 (4), .6 (8), .13 (16), .17 (32).</summary>
    private static readonly int[] Levels = [1, 3, 6, 13, 17];

    /// <summary>Builds the network with random weights, or around <paramref name="backbone"/> (output stride 32).</summary>
    /// <param name="classCount">Output classes (at least 1).</param>
    /// <param name="backbone">The encoder, taken over (disposed with the network), e.g. from <c>MobileNetV2.FromOnnx</c>; null builds a random MobileNetV2-1.0.</param>
    /// <param name="activation">The decoder's activation (TI: ReLU).</param>
    /// <exception cref="ArgumentException">The backbone has output stride 16.</exception>
    public UNetLiteMobileNetV2(int classCount, MobileNetV2? backbone = null, ActivationKind activation = ActivationKind.Relu)
        : base(classCount, backbone, new MobileNetV2Options())
    {
        if (Backbone.Options.OutputStride != 32)
        {
            Backbone.Dispose();
            throw new ArgumentException($"UNetLite needs a MobileNetV2 at output stride 32, got {Backbone.Options.OutputStride}", nameof(backbone));
        }
        const long decoderChannels = 256;
        Aspp = RegisterModule("aspp", new DwAsppLite(ChannelsAt(Backbone, Levels[^1]), decoderChannels, decoderChannels, activation));
        // TI's floor on the merge widths: twice the classes, at least 32, so that the last merges are not narrower than the prediction.
        long minimum = Math.Max(2L * classCount, 32);
        long current = decoderChannels;
        var merges = new List<Sequential>();
        for (int i = Levels.Length - 2; i >= 0; i--)
        {
            long skip = ChannelsAt(Backbone, Levels[i]);
            long merged = Math.Max(minimum, skip);
            merges.Add(LiteLayers.DepthwiseSeparable(current + skip, merged, activation));
            current = merged;
        }
        Merges = RegisterModule("merges", new ModuleList<Sequential>(merges));
        Prediction = RegisterModule("prediction", LiteLayers.Prediction(current, classCount));
    }

    /// <summary>ASPP-lite on the stride-32 map.</summary>
    public DwAsppLite Aspp { get; }

    /// <summary>The merges at strides 16, 8, 4, 2.</summary>
    public ModuleList<Sequential> Merges { get; }

    /// <summary>Depthwise-separable prediction at stride 2.</summary>
    public Sequential Prediction { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<int> Taps => Levels;

    /// <inheritdoc/>
    protected override Tensor Decode(IReadOnlyList<Tensor> maps)
    {
        using var scope = DisposeScope.Begin();
        var x = Aspp.Forward(maps[^1]);
        for (int i = 0; i < Merges.Count; i++)
        {
            var skip = maps[maps.Count - 2 - i];
            x = Merges[i].Forward(Tensor.Cat([UpsampleTo(x, skip), skip], 1));
        }
        return Prediction.Forward(x).MoveToOuterScope();
    }
}
