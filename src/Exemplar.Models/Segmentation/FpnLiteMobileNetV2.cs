using Exemplar.Models.MobileNet;
using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.Segmentation;

/// <summary>
/// TI's FPNLite on MobileNetV2 (<c>fpnlite_mobilenetv2</c> and, on MobileNetV2-1.4, <c>fpnlite_mobilenetv2_1.4</c>;
/// their FPN-with-ASPP decoder): ASPP-lite on the stride-32 map (<c>features.17</c>) to D channels (256 at width 1.0,
/// rounded 256·width otherwise), then top-down at strides 16, 8 and 4 (<c>features.13</c>, .6, .3) the running map is
/// upsampled ×2, added to a 1×1 lateral projection (batch norm, activation) of the encoder map and smoothed by a
/// depthwise-separable convolution whose output feeds the next level (TI's in-loop FPN); a depthwise-separable
/// prediction at stride 4 and logits upsampled ×4 bilinearly.
/// </summary>
public sealed class FpnLiteMobileNetV2 : MobileNetV2LiteNetwork
{
    /// <summary>features.3 (stride 4), .6 (8), .13 (16), .17 (32).</summary>
    private static readonly int[] Levels = [3, 6, 13, 17];

    /// <summary>Builds the network with random weights, or around <paramref name="backbone"/> (output stride 32, any width).</summary>
    /// <param name="classCount">Output classes (at least 1).</param>
    /// <param name="backbone">
    /// The encoder, taken over (disposed with the network), e.g. from <c>MobileNetV2.FromOnnx</c> or
    /// <c>new MobileNetV2(new MobileNetV2Options(WidthMultiplier: 1.4))</c>; null builds a random MobileNetV2-1.0.
    /// </param>
    /// <param name="activation">The decoder's activation (TI: ReLU; ReLU6 with MobileNetV2-1.4).</param>
    /// <exception cref="ArgumentException">The backbone has output stride 16.</exception>
    public FpnLiteMobileNetV2(int classCount, MobileNetV2? backbone = null, ActivationKind activation = ActivationKind.Relu)
        : base(classCount, backbone, new MobileNetV2Options())
    {
        if (Backbone.Options.OutputStride != 32)
        {
            Backbone.Dispose();
            throw new ArgumentException($"FPNLite needs a MobileNetV2 at output stride 32, got {Backbone.Options.OutputStride}", nameof(backbone));
        }
        long decoderChannels = MobileNetV2.RoundChannels(256 * Backbone.Options.WidthMultiplier);
        Aspp = RegisterModule("aspp", new DwAsppLite(ChannelsAt(Backbone, Levels[^1]), decoderChannels, decoderChannels, activation));
        var laterals = new List<Sequential>();
        var smooths = new List<Sequential>();
        for (int i = Levels.Length - 2; i >= 0; i--)
        {
            laterals.Add(LiteLayers.ConvNormAct(ChannelsAt(Backbone, Levels[i]), decoderChannels, 1, activation));
            smooths.Add(LiteLayers.DepthwiseSeparable(decoderChannels, decoderChannels, activation));
        }
        Laterals = RegisterModule("laterals", new ModuleList<Sequential>(laterals));
        Smooths = RegisterModule("smooths", new ModuleList<Sequential>(smooths));
        Prediction = RegisterModule("prediction", LiteLayers.Prediction(decoderChannels, classCount));
    }

    /// <summary>ASPP-lite on the stride-32 map.</summary>
    public DwAsppLite Aspp { get; }

    /// <summary>1×1 projections of the stride-16, 8 and 4 maps to the decoder width.</summary>
    public ModuleList<Sequential> Laterals { get; }

    /// <summary>Depthwise-separable smoothing after each top-down addition.</summary>
    public ModuleList<Sequential> Smooths { get; }

    /// <summary>Depthwise-separable prediction at stride 4.</summary>
    public Sequential Prediction { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<int> Taps => Levels;

    /// <inheritdoc/>
    protected override Tensor Decode(IReadOnlyList<Tensor> maps)
    {
        using var scope = DisposeScope.Begin();
        var x = Aspp.Forward(maps[^1]);
        for (int i = 0; i < Laterals.Count; i++)
        {
            var lateral = Laterals[i].Forward(maps[maps.Count - 2 - i]);
            x = Smooths[i].Forward(UpsampleTo(x, lateral) + lateral);
        }
        return Prediction.Forward(x).MoveToOuterScope();
    }
}
