using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Masks;

namespace Exemplar.Vision.Datasets;

/// <summary>Mask decodings the loaders share, all returning label maps [H, W] int64.</summary>
internal static class DatasetMasks
{
    /// <summary>
    /// A binary mask file as a label map holding <paramref name="foreground"/> where the mask is set and 0 elsewhere.
    /// Palette PNGs: every non-zero index is set. Other files: gray (ITU-R 601 luma) ≥ <paramref name="threshold"/>.
    /// With <paramref name="acceptZeroOne"/>, a file whose values are all 0 or 1 is read as 0/1 (thresholding it would
    /// erase it).
    /// </summary>
    internal static Tensor Binary(string path, long foreground = 1, int threshold = 128, bool acceptZeroOne = false)
    {
        var info = ImageReader.ReadInfo(path, applyExifOrientation: false);
        var options = info.IsIndexed
            ? new ImageReadOptions(Palette: PaletteMode.Indices, ApplyExifOrientation: false)
            : new ImageReadOptions(Channels: ImageChannels.Gray, ApplyExifOrientation: false);
        using var scope = DisposeScope.Begin();
        var gray = ImageReader.ReadTensor(path, options).Squeeze(0);
        int cut = info.IsIndexed ? 1 : threshold;
        if (acceptZeroOne && !info.IsIndexed && gray.Max().Item<byte>() <= 1) cut = 1;
        var set = gray.Ge(cut);
        // MaskedFill keeps the int64 dtype (arithmetic with a scalar would promote to float).
        var labels = Tensor.Zeros(set.Shape, DType.Int64).MaskedFill(set, foreground);
        return labels.MoveToOuterScope();
    }

    /// <summary>A mask decoded with <paramref name="encoding"/>: its label map (ignored pixels at <paramref name="ignoreLabel"/>).</summary>
    internal static Tensor Decode(string path, MaskEncoding encoding, long ignoreLabel = 255)
    {
        using var map = MaskDecoder.Read(path, encoding, new MaskReadOptions(IgnoreLabel: ignoreLabel));
        return map.Labels.Alias();
    }

    /// <summary>Sets <paramref name="labels"/> to <paramref name="ignoreLabel"/> where <paramref name="keep"/> is zero, in a new tensor.</summary>
    internal static Tensor IgnoreOutside(Tensor labels, Tensor keep, long ignoreLabel)
    {
        using var outside = keep.Eq(0);
        return labels.MaskedFill(outside, ignoreLabel);
    }
}
