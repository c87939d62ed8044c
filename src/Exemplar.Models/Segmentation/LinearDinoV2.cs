using Exemplar.Models.DinoV2;
using Exemplar.Torch;

namespace Exemplar.Models.Segmentation;

/// <summary>
/// OTX's DINOv2 semantic segmentation (<c>dinov2-small-seg</c>): a frozen DINOv2 backbone whose blocks 8..11 (the
/// last four of ViT-S/14, as DINOv2's multi-layer linear probe takes them) give final-normalised patch maps, which
/// are concatenated and classified by <see cref="DinoV2LinearHead"/>; logits are upsampled bilinearly to the input.
/// Only the head trains: every backbone parameter has <c>requires_grad</c> false. OTX's current release starts from
/// ViT-S/14 with 4 registers (<c>dinov2_vits14_reg4_pretrain.pth</c>), its first ones from plain ViT-S/14 (the zoo's
/// default); any DINOv2 loaded by <see cref="DinoV2Weights"/> fits.
/// </summary>
public sealed class LinearDinoV2 : SegmentationNetwork
{
    /// <summary>How many final blocks feed the head by default (OTX: <c>get_intermediate_layers(n=[8, 9, 10, 11])</c> on 12 blocks).</summary>
    public const int DefaultLayers = 4;

    /// <summary>Builds the network around <paramref name="backbone"/> (e.g. from <see cref="DinoV2Weights.Load(string, DinoV2Variant, bool, string?)"/>), or a random ViT-S/14.</summary>
    /// <param name="classCount">Output classes (at least 1).</param>
    /// <param name="backbone">The encoder, which the network takes over (disposes) and freezes; null builds a random ViT-S/14.</param>
    /// <param name="layers">How many of the last blocks feed the head (OTX: 4).</param>
    public LinearDinoV2(int classCount, DinoVisionTransformer? backbone = null, int layers = DefaultLayers)
    {
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "a segmentation network needs at least one class");
        ClassCount = classCount;
        Backbone = RegisterModule("backbone", backbone ?? DinoVisionTransformer.ViTS14());
        if (layers < 1 || layers > Backbone.Options.Depth)
        {
            Backbone.Dispose();
            throw new ArgumentOutOfRangeException(nameof(layers), layers, $"the backbone has {Backbone.Options.Depth} blocks");
        }
        Layers = layers;
        Backbone.Freeze();
        Head = RegisterModule("decode_head", new DinoV2LinearHead(layers * Backbone.Options.EmbedDim, classCount));
    }

    /// <summary>How many of the last blocks feed the head.</summary>
    public int Layers { get; }

    /// <summary>The frozen DINOv2 encoder.</summary>
    public DinoVisionTransformer Backbone { get; }

    /// <summary>The trained head.</summary>
    public DinoV2LinearHead Head { get; }

    /// <inheritdoc/>
    public override int ClassCount { get; }

    /// <inheritdoc/>
    public override Preprocessing Preprocessing => Backbone.Preprocessing;

    /// <summary>Logits: normalised image [N, 3, H, W] (H, W multiples of 14) → [N, classes, H, W].</summary>
    public override Tensor Forward(Tensor input)
    {
        CheckImage(input);
        using var scope = DisposeScope.Begin();
        var layers = Backbone.GetIntermediateLayers(input, Layers, reshape: true, norm: true);
        var logits = Head.Forward([.. layers.Select(l => l.PatchTokens)]);
        return Functional.Interpolate(logits, (int)input.Size(2), (int)input.Size(3), InterpolationMode.Bilinear).MoveToOuterScope();
    }
}
