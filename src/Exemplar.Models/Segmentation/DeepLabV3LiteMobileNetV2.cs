using Exemplar.Models.MobileNet;
using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.Segmentation;

/// <summary>
/// TI's DeepLabV3Lite on MobileNetV2 at output stride 16 (<c>deeplabv3lite_mobilenetv2</c> in their model zoo, a
/// DeepLabV3+-style network): ASPP-lite on the stride-16 map (<c>features.17</c>, 320 channels at width 1.0) to 256
/// channels, upsampled ×4 and concatenated with a 1×1 projection (48 channels) of the stride-4 map
/// (<c>features.3</c>, 24 channels), a depthwise-separable prediction at stride 4, logits upsampled ×4 bilinearly.
/// Decoder widths scale with the backbone's width multiplier as TI's 1.4 variant does.
/// </summary>
public sealed class DeepLabV3LiteMobileNetV2 : MobileNetV2LiteNetwork
{
    private const int ShortcutLevel = 3;
    private const int DeepLevel = 17;

    /// <summary>Builds the network with random weights, or around <paramref name="backbone"/> (which must have output stride 16).</summary>
    /// <param name="classCount">Output classes (at least 1).</param>
    /// <param name="backbone">
    /// The encoder, taken over (disposed with the network), e.g. <c>MobileNetV2.FromOnnx(path, new MobileNetV2Options(OutputStride: 16))</c>;
    /// null builds a random MobileNetV2-1.0 at output stride 16.
    /// </param>
    /// <param name="activation">The decoder's activation (TI: ReLU; ReLU6 with MobileNetV2-1.4).</param>
    /// <exception cref="ArgumentException">The backbone has output stride 32.</exception>
    public DeepLabV3LiteMobileNetV2(int classCount, MobileNetV2? backbone = null, ActivationKind activation = ActivationKind.Relu)
        : base(classCount, backbone, new MobileNetV2Options(OutputStride: 16))
    {
        if (Backbone.Options.OutputStride != 16)
        {
            Backbone.Dispose();
            throw new ArgumentException($"DeepLabV3Lite needs a MobileNetV2 at output stride 16, got {Backbone.Options.OutputStride}", nameof(backbone));
        }
        double width = Backbone.Options.WidthMultiplier;
        long decoderChannels = MobileNetV2.RoundChannels(256 * width);
        long shortcutChannels = MobileNetV2.RoundChannels(48 * width);
        Aspp = RegisterModule("aspp", new DwAsppLite(ChannelsAt(Backbone, DeepLevel), decoderChannels, decoderChannels, activation));
        Shortcut = RegisterModule("shortcut", LiteLayers.ConvNormAct(ChannelsAt(Backbone, ShortcutLevel), shortcutChannels, 1, activation));
        Prediction = RegisterModule("prediction", LiteLayers.Prediction(decoderChannels + shortcutChannels, classCount));
    }

    /// <summary>ASPP-lite on the stride-16 map.</summary>
    public DwAsppLite Aspp { get; }

    /// <summary>1×1 convolution + batch norm + activation on the stride-4 map.</summary>
    public Sequential Shortcut { get; }

    /// <summary>Depthwise-separable prediction on the concatenation, at stride 4.</summary>
    public Sequential Prediction { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<int> Taps { get; } = [ShortcutLevel, DeepLevel];

    /// <inheritdoc/>
    protected override Tensor Decode(IReadOnlyList<Tensor> maps)
    {
        using var scope = DisposeScope.Begin();
        var shortcut = Shortcut.Forward(maps[0]);
        var deep = UpsampleTo(Aspp.Forward(maps[1]), shortcut);
        return Prediction.Forward(Tensor.Cat([deep, shortcut], 1)).MoveToOuterScope();
    }
}
