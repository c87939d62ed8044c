using System.Runtime.InteropServices;
using Exemplar.Torch;
using Exemplar.Torch.IO;
using Exemplar.Vision.IO.Native;

namespace Exemplar.Vision.IO;

/// <summary>
/// Encodes <c>[C, H, W]</c> tensors to PNG (gray, gray+alpha, RGB, RGBA at 8 or 16 bits, or palette-indexed) and JPEG
/// (gray or RGB), as bytes or files. Files are written atomically (see <see cref="AtomicFile"/>) and never replace an existing
/// file unless <c>overwrite</c> is true.
/// </summary>
public static class ImageWriter
{
    /// <summary>
    /// PNG bytes of <paramref name="image"/>, <c>[C, H, W]</c> or <c>[H, W]</c> with C = 1 (gray), 2 (gray + alpha),
    /// 3 (RGB) or 4 (RGBA). A uint8 tensor is written at 8 bits; an int16/int32/int64 tensor (values 0..65535) at 16 bits.
    /// </summary>
    public static byte[] EncodePng(Tensor image, PngEncodeOptions? options = null)
    {
        options ??= PngEncodeOptions.Default;
        options.Validate();
        var (channels, height, width) = ImageTensors.ShapeOf(image, nameof(image));
        byte colorType = channels switch
        {
            1 => SpngNative.ColorGray,
            2 => SpngNative.ColorGrayAlpha,
            3 => SpngNative.ColorRgb,
            4 => SpngNative.ColorRgba,
            _ => throw new ArgumentException($"a PNG has 1 to 4 channels; the tensor has {channels}", nameof(image)),
        };
        if (image.DType == DType.UInt8)
        {
            return PngEncoder.Encode(ImageTensors.InterleavedBytes(image, nameof(image)), width, height, colorType, 8, null, options);
        }
        int[] values = ImageTensors.InterleavedInts(image, nameof(image));
        var samples = new ushort[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            if ((uint)values[i] > ushort.MaxValue) throw new ArgumentException($"16-bit PNG samples go from 0 to 65535; the tensor holds {values[i]}", nameof(image));
            samples[i] = (ushort)values[i];
        }
        return PngEncoder.Encode(MemoryMarshal.AsBytes(samples.AsSpan()), width, height, colorType, 16, null, options);
    }

    /// <summary>
    /// Palette-indexed PNG bytes (8-bit indices) of <paramref name="indices"/>, <c>[H, W]</c> or <c>[1, H, W]</c> of any
    /// integer type with values below the palette size: how segmentation masks are stored. The palette defaults to
    /// <see cref="ImagePalette.Voc"/>; its transparent entries are written to a tRNS chunk.
    /// </summary>
    public static byte[] EncodeIndexedPng(Tensor indices, ImagePalette? palette = null, PngEncodeOptions? options = null)
    {
        options ??= PngEncodeOptions.Default;
        options.Validate();
        palette ??= ImagePalette.Voc;
        var (channels, height, width) = ImageTensors.ShapeOf(indices, nameof(indices));
        if (channels != 1) throw new ArgumentException($"indices are [H, W] or [1, H, W]; the tensor has {channels} channels", nameof(indices));
        int[] values = ImageTensors.InterleavedInts(indices, nameof(indices));
        var bytes = new byte[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            if ((uint)values[i] >= (uint)palette.Count)
            {
                throw new ArgumentException($"index {values[i]} at pixel ({i % width}, {i / width}) is outside the palette of {palette.Count} colours", nameof(indices));
            }
            bytes[i] = (byte)values[i];
        }
        return PngEncoder.Encode(bytes, width, height, SpngNative.ColorIndexed, 8, palette, options);
    }

    /// <summary>JPEG bytes of a uint8 <paramref name="image"/>, <c>[1, H, W]</c>, <c>[H, W]</c> (gray) or <c>[3, H, W]</c> (RGB).</summary>
    public static byte[] EncodeJpeg(Tensor image, JpegEncodeOptions? options = null)
    {
        options ??= JpegEncodeOptions.Default;
        options.Validate();
        var (channels, height, width) = ImageTensors.ShapeOf(image, nameof(image));
        if (channels is not (1 or 3))
        {
            throw new ArgumentException($"a JPEG is gray (1 channel) or RGB (3); the tensor has {channels} channels (JPEG has no alpha)", nameof(image));
        }
        return JpegEncoder.Encode(ImageTensors.InterleavedBytes(image, nameof(image)), width, height, channels, options);
    }

    /// <summary>Writes <paramref name="image"/> as a PNG file (see <see cref="EncodePng"/>).</summary>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public static void WritePng(string path, Tensor image, bool overwrite = false, PngEncodeOptions? options = null) =>
        AtomicFile.WriteAllBytes(path, EncodePng(image, options), overwrite);

    /// <summary>Writes <paramref name="indices"/> as a palette PNG file (see <see cref="EncodeIndexedPng"/>).</summary>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public static void WriteIndexedPng(string path, Tensor indices, ImagePalette? palette = null, bool overwrite = false, PngEncodeOptions? options = null) =>
        AtomicFile.WriteAllBytes(path, EncodeIndexedPng(indices, palette, options), overwrite);

    /// <summary>Writes <paramref name="image"/> as a JPEG file (see <see cref="EncodeJpeg"/>).</summary>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public static void WriteJpeg(string path, Tensor image, bool overwrite = false, JpegEncodeOptions? options = null) =>
        AtomicFile.WriteAllBytes(path, EncodeJpeg(image, options), overwrite);

    /// <summary>Writes <paramref name="image"/> as PNG or JPEG, chosen by the extension (.png, .jpg, .jpeg), with default options.</summary>
    /// <exception cref="ArgumentException">The extension is none of those.</exception>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public static void Write(string path, Tensor image, bool overwrite = false)
    {
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".png": WritePng(path, image, overwrite); break;
            case ".jpg" or ".jpeg": WriteJpeg(path, image, overwrite); break;
            default: throw new ArgumentException($"cannot tell the format of {path} from its extension: use .png, .jpg or .jpeg", nameof(path));
        }
    }
}
