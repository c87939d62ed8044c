using Exemplar.Torch;
using Exemplar.Vision.IO;

namespace Exemplar.Vision.Masks;

/// <summary>
/// Reads segmentation masks in the encodings data sets use (binary gray, class-id gray, palette indices, colour maps)
/// into label maps <c>[H, W]</c>. COCO polygons and RLE are in <see cref="Coco.CocoSegmentation"/>.
/// </summary>
/// <example><code>
/// using var voc = MaskDecoder.Read("2007_000032.png", MaskEncodings.Voc);        // labels int64, 255 = ignore
/// using var fss = MaskDecoder.ReadBinary("eiffel_tower/1.png");                   // [H, W] uint8 0/1
/// </code></example>
public static class MaskDecoder
{
    /// <summary>A binary mask file as <c>[H, W]</c> uint8 0/1 (see <see cref="BinaryMaskEncoding"/> for the rule).</summary>
    public static Tensor ReadBinary(string path, int threshold = 128, MaskReadOptions? options = null) =>
        DecodeBinary(File.ReadAllBytes(path), path, new BinaryMaskEncoding(threshold), options ?? MaskReadOptions.Default);

    /// <summary>Decodes the mask file at <paramref name="path"/> stored as <paramref name="encoding"/>.</summary>
    /// <exception cref="ImageFormatException">The file cannot be read, or does not fit the encoding.</exception>
    public static LabelMap Read(string path, MaskEncoding encoding, MaskReadOptions? options = null) =>
        Decode(File.ReadAllBytes(path), path, encoding, options);

    /// <summary>Decodes an encoded mask held in memory; <paramref name="sourceName"/> names it in errors.</summary>
    public static LabelMap Decode(ReadOnlySpan<byte> data, string sourceName, MaskEncoding encoding, MaskReadOptions? options = null)
    {
        options ??= MaskReadOptions.Default;
        var (labels, ignored) = encoding switch
        {
            BinaryMaskEncoding binary => BinaryLabels(data, sourceName, binary, options),
            ClassIdMaskEncoding classIds => ClassIdLabels(data, sourceName, classIds, options),
            ColorMapMaskEncoding colors => ColorLabels(data, sourceName, colors, options),
            _ => throw new ArgumentException($"unknown mask encoding {encoding.GetType().Name}", nameof(encoding)),
        };
        return Build(labels.Values, ignored, labels.Height, labels.Width, options.IgnoreLabel, sourceName);
    }

    private readonly record struct Plane(long[] Values, int Height, int Width);

    private static Tensor DecodeBinary(ReadOnlySpan<byte> data, string source, BinaryMaskEncoding encoding, MaskReadOptions options)
    {
        var (plane, _) = BinaryLabels(data, source, encoding, options);
        var bytes = new byte[plane.Values.Length];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)plane.Values[i];
        return Tensor.From(bytes, plane.Height, plane.Width);
    }

    private static (Plane, bool[]?) BinaryLabels(ReadOnlySpan<byte> data, string source, BinaryMaskEncoding encoding, MaskReadOptions options)
    {
        if (encoding.Threshold is < 1 or > 255) throw new ArgumentOutOfRangeException(nameof(encoding), encoding.Threshold, "the threshold goes from 1 to 255");
        bool indexed = ImageReader.ReadInfo(data, source).IsIndexed;
        if (!indexed && encoding.Threshold is null) return (AdaptiveBinary(data, source, options), null);
        var read = indexed
            ? new ImageReadOptions(Palette: PaletteMode.Indices, MaxPixels: options.MaxPixels)
            : new ImageReadOptions(Channels: ImageChannels.Gray, MaxPixels: options.MaxPixels);
        var (values, height, width) = ReadPlane(data, source, read);
        int threshold = indexed ? 1 : encoding.Threshold!.Value;
        var labels = new long[values.Length];
        for (int i = 0; i < labels.Length; i++) labels[i] = values[i] >= threshold ? 1 : 0;
        return (new Plane(labels, height, width), null);
    }

    /// <summary>Foreground where the brightest channel reaches half the image's brightest value (rounded up, at least 1).</summary>
    private static Plane AdaptiveBinary(ReadOnlySpan<byte> data, string source, MaskReadOptions options)
    {
        using var image = ImageReader.Decode(data, source, new ImageReadOptions(Channels: ImageChannels.Rgb, MaxPixels: options.MaxPixels));
        int n = image.Height * image.Width;
        var rgb = image.Pixels.ToArray<byte>();
        var brightest = new byte[n];
        int peak = 0;
        for (int i = 0; i < n; i++)
        {
            brightest[i] = Math.Max(rgb[i], Math.Max(rgb[n + i], rgb[2 * n + i]));
            peak = Math.Max(peak, brightest[i]);
        }
        int threshold = Math.Max(1, (peak + 1) / 2);
        var labels = new long[n];
        for (int i = 0; i < n; i++) labels[i] = brightest[i] >= threshold ? 1 : 0;
        return new Plane(labels, image.Height, image.Width);
    }

    private static (Plane, bool[]?) ClassIdLabels(ReadOnlySpan<byte> data, string source, ClassIdMaskEncoding encoding, MaskReadOptions options)
    {
        var info = ImageReader.ReadInfo(data, source);
        if (info.Format == ImageFileFormat.Jpeg) throw new ImageFormatException(source, "class-id masks must be lossless (PNG): JPEG artefacts would invent classes");
        if (info.StoredChannels != 1)
        {
            throw new ImageFormatException(source, $"class-id masks have one channel (gray or palette); this PNG has {info.StoredChannels}: use ColorMapMaskEncoding for colour-coded masks");
        }
        using var image = ImageReader.Decode(data, source, new ImageReadOptions(Palette: PaletteMode.Indices, Samples: SampleValues.Raw, MaxPixels: options.MaxPixels));
        long[] values = image.Pixels.DType == DType.UInt8 ? image.Pixels.ToArray<byte>().Select(v => (long)v).ToArray() : image.Pixels.ToArray<int>().Select(v => (long)v).ToArray();
        bool[]? ignored = null;
        if (encoding.IgnoreValue is int ignore)
        {
            ignored = new bool[values.Length];
            for (int i = 0; i < values.Length; i++) ignored[i] = values[i] == ignore;
        }
        return (new Plane(values, image.Height, image.Width), ignored);
    }

    private static (Plane, bool[]?) ColorLabels(ReadOnlySpan<byte> data, string source, ColorMapMaskEncoding encoding, MaskReadOptions options)
    {
        var info = ImageReader.ReadInfo(data, source);
        if (info.Format == ImageFileFormat.Jpeg && encoding.UnknownColors != UnknownColorPolicy.Nearest)
        {
            throw new ImageFormatException(source, "a JPEG colour mask has compression noise: use UnknownColorPolicy.Nearest, or a PNG");
        }
        using var image = ImageReader.Decode(data, source, new ImageReadOptions(Channels: ImageChannels.Rgb, MaxPixels: options.MaxPixels));
        int height = image.Height, width = image.Width, n = height * width;
        var rgb = image.Pixels.ToArray<byte>();
        var labels = new long[n];
        var ignored = new bool[n];
        var table = encoding.Colors;
        int lastKey = -1;
        long lastId = 0;
        bool lastIgnored = false;
        for (int i = 0; i < n; i++)
        {
            byte r = rgb[i], g = rgb[n + i], b = rgb[2 * n + i];
            int key = r << 16 | g << 8 | b;
            if (key != lastKey)
            {
                lastKey = key;
                lastIgnored = false;
                if (table.Find(r, g, b) is long id) lastId = id;
                else if (encoding.UnknownColors == UnknownColorPolicy.Nearest) lastId = table.Nearest(r, g, b);
                else if (encoding.UnknownColors == UnknownColorPolicy.Ignore) lastIgnored = true;
                else throw new ImageFormatException(source, $"colour ({r}, {g}, {b}) at pixel ({i % width}, {i / width}) is not in the colour table");
            }
            labels[i] = lastId;
            ignored[i] = lastIgnored;
        }
        return (new Plane(labels, height, width), ignored);
    }

    private static (byte[] Values, int Height, int Width) ReadPlane(ReadOnlySpan<byte> data, string source, ImageReadOptions read)
    {
        using var image = ImageReader.Decode(data, source, read);
        return (image.Pixels.ToArray<byte>(), image.Height, image.Width);
    }

    private static LabelMap Build(long[] labels, bool[]? ignored, int height, int width, long ignoreLabel, string source)
    {
        // A pixel is ignored when the encoding says so, or when its id already is the ignore label (e.g. a colour
        // table entry mapped to it on purpose).
        ignored ??= new bool[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if (ignored[i]) labels[i] = ignoreLabel;
            else if (labels[i] == ignoreLabel) ignored[i] = true;
        }
        var labelTensor = Tensor.From(labels, height, width);
        try
        {
            return new LabelMap(labelTensor, Tensor.From(ignored, height, width), ignoreLabel, source);
        }
        catch
        {
            labelTensor.Dispose();
            throw;
        }
    }
}
