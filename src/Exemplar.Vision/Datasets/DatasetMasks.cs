using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Masks;

namespace Exemplar.Vision.Datasets;

/// <summary>Mask decodings the loaders share, all returning label maps [H, W] int64 built with tensor operations.</summary>
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
        byte[] data = File.ReadAllBytes(path);
        var info = ImageReader.ReadInfo(data, path, applyExifOrientation: false);
        var options = info.IsIndexed
            ? new ImageReadOptions(Palette: PaletteMode.Indices, ApplyExifOrientation: false)
            : new ImageReadOptions(Channels: ImageChannels.Gray, ApplyExifOrientation: false);
        using var scope = DisposeScope.Begin();
        using var image = ImageReader.Decode(data, path, options);
        var gray = image.Pixels.Squeeze(0);
        int cut = info.IsIndexed ? 1 : threshold;
        if (acceptZeroOne && !info.IsIndexed && gray.Max().Item<byte>() <= 1) cut = 1;
        var set = gray.Ge(cut);
        // MaskedFill keeps the int64 dtype (arithmetic with a scalar would promote to float).
        var labels = Tensor.Zeros(set.Shape, DType.Int64).MaskedFill(set, foreground);
        return labels.MoveToOuterScope();
    }

    /// <summary>
    /// A class-id mask (gray or palette indices, 8 or 16 bits) as a label map: the stored values, with
    /// <paramref name="ignoreValue"/> (when given) replaced by <paramref name="ignoreLabel"/>. Same rules as
    /// <see cref="MaskDecoder"/> with <see cref="ClassIdMaskEncoding"/> (JPEG and multi-channel files refused), without
    /// its per-pixel copies: this runs for every item a loader reads.
    /// </summary>
    internal static Tensor ClassIds(string path, int? ignoreValue, long ignoreLabel)
    {
        byte[] data = File.ReadAllBytes(path);
        var info = ImageReader.ReadInfo(data, path, applyExifOrientation: false);
        if (info.Format == ImageFileFormat.Jpeg) throw new ImageFormatException(path, "class-id masks must be lossless (PNG): JPEG artefacts would invent classes");
        if (info.StoredChannels != 1)
        {
            throw new ImageFormatException(path, $"class-id masks have one channel (gray or palette); this PNG has {info.StoredChannels}");
        }
        using var scope = DisposeScope.Begin();
        using var image = ImageReader.Decode(data, path, new ImageReadOptions(Palette: PaletteMode.Indices, Samples: SampleValues.Raw, ApplyExifOrientation: false));
        var labels = image.Pixels.Squeeze(0).To(DType.Int64);
        if (ignoreValue is int ignore && ignore != ignoreLabel) labels = labels.MaskedFill(labels.Eq(ignore), ignoreLabel);
        return labels.MoveToOuterScope();
    }

    /// <summary>
    /// <paramref name="labels"/> (non-negative int64) through a lookup table: value v becomes <c>table[v]</c>, and a
    /// value past the table's end becomes <paramref name="otherLabel"/>. One gather, in a new tensor.
    /// </summary>
    internal static Tensor Remap(Tensor labels, IReadOnlyList<long> table, long otherLabel)
    {
        using var scope = DisposeScope.Begin();
        var lookup = Tensor.From([.. table, otherLabel], table.Count + 1);
        // MaskedFill keeps int64 (a clamp with scalars would promote to float, which index_select refuses).
        var index = labels.MaskedFill(labels.Gt(table.Count), (long)table.Count).Flatten();
        return lookup.IndexSelect(0, index).Reshape(labels.Shape).MoveToOuterScope();
    }

    /// <summary>A mask decoded with <paramref name="encoding"/>: its label map (ignored pixels at <paramref name="ignoreLabel"/>).</summary>
    internal static Tensor Decode(string path, MaskEncoding encoding, long ignoreLabel = 255)
    {
        if (encoding is ClassIdMaskEncoding classIds) return ClassIds(path, classIds.IgnoreValue, ignoreLabel);
        using var map = MaskDecoder.Read(path, encoding, new MaskReadOptions(IgnoreLabel: ignoreLabel));
        return map.Labels.Alias();
    }

    /// <summary>Sets <paramref name="labels"/> to <paramref name="ignoreLabel"/> where <paramref name="keep"/> is zero, in a new tensor.</summary>
    internal static Tensor IgnoreOutside(Tensor labels, Tensor keep, long ignoreLabel)
    {
        using var outside = keep.Eq(0);
        return labels.MaskedFill(outside, ignoreLabel);
    }

    /// <summary>The distinct values of <paramref name="labels"/>, ascending, with how many pixels hold each.</summary>
    internal static (long[] Values, long[] Counts) Histogram(Tensor labels)
    {
        using (var flat = labels.Flatten())
        using (var min = flat.Min())
        using (var max = flat.Max())
        {
            long low = min.Item<long>(), high = max.Item<long>();
            if (low >= 0 && high < 1 << 16)
            {
                // Counting is linear; unique sorts.
                using var bins = Ops.Call(Op.Get("aten::bincount"), flat, (Tensor?)null, 0L);
                var counts = bins.ToArray<long>();
                var present = Enumerable.Range(0, counts.Length).Where(v => counts[v] > 0).ToArray();
                return (present.Select(v => (long)v).ToArray(), present.Select(v => counts[v]).ToArray());
            }
        }
        var parts = Ops.CallMany(Op.Get("aten::_unique2"), labels, true, false, true);
        try
        {
            return (parts[0].ToArray<long>(), parts[2].ToArray<long>());
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }
}
