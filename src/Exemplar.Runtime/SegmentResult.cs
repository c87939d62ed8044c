using System.Runtime.InteropServices;
using SkiaSharp;

namespace Exemplar.Runtime;

/// <summary>An axis-aligned box in pixels: left, top, width, height.</summary>
/// <param name="X">Left column.</param>
/// <param name="Y">Top row.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
public readonly record struct Box(int X, int Y, int Width, int Height)
{
    /// <inheritdoc/>
    public override string ToString() => $"[{X}, {Y}, {Width}x{Height}]";
}

/// <summary>One connected region of one class (8-connected).</summary>
/// <param name="Class">The class name.</param>
/// <param name="ClassIndex">The class's index in <see cref="SegmentResult.Classes"/>.</param>
/// <param name="Score">Mean probability of the class over the region's pixels.</param>
/// <param name="Box">Its bounding box.</param>
/// <param name="Area">Its pixel count.</param>
/// <param name="Rle">COCO's uncompressed run-length encoding of the region over the whole image (column-major, starting with a background run).</param>
/// <param name="Polygon">The outer boundary along pixel edges as COCO writes polygons: x0, y0, x1, y1, … in pixel-corner coordinates.</param>
public sealed record SegmentedObject(string Class, int ClassIndex, float Score, Box Box, int Area, IReadOnlyList<int> Rle, IReadOnlyList<double> Polygon);

/// <summary>One object as a COCO results annotation (serialise a list of them with System.Text.Json for COCO tools).</summary>
/// <param name="Id">Annotation id.</param>
/// <param name="ImageId">The image's id.</param>
/// <param name="CategoryId">Class index + 1.</param>
/// <param name="Segmentation">COCO's uncompressed RLE: size [height, width] and counts.</param>
/// <param name="Polygon">The outer boundary polygon (one ring).</param>
/// <param name="Area">Pixels.</param>
/// <param name="BoundingBox">x, y, width, height.</param>
/// <param name="Score">Mean probability over the object.</param>
public sealed record CocoAnnotation(
    [property: System.Text.Json.Serialization.JsonPropertyName("id")] int Id,
    [property: System.Text.Json.Serialization.JsonPropertyName("image_id")] int ImageId,
    [property: System.Text.Json.Serialization.JsonPropertyName("category_id")] int CategoryId,
    [property: System.Text.Json.Serialization.JsonPropertyName("segmentation")] CocoRleSegmentation Segmentation,
    [property: System.Text.Json.Serialization.JsonPropertyName("polygon")] IReadOnlyList<IReadOnlyList<double>> Polygon,
    [property: System.Text.Json.Serialization.JsonPropertyName("area")] int Area,
    [property: System.Text.Json.Serialization.JsonPropertyName("bbox")] IReadOnlyList<int> BoundingBox,
    [property: System.Text.Json.Serialization.JsonPropertyName("score")] float Score);

/// <summary>COCO's uncompressed RLE object.</summary>
/// <param name="Size">[height, width].</param>
/// <param name="Counts">Alternating run lengths, column-major, starting with background.</param>
public sealed record CocoRleSegmentation(
    [property: System.Text.Json.Serialization.JsonPropertyName("size")] IReadOnlyList<int> Size,
    [property: System.Text.Json.Serialization.JsonPropertyName("counts")] IReadOnlyList<int> Counts);

/// <summary>
/// What was found in one image, at its original size: a label map (0 background, i + 1 class i), per-class probability
/// maps, and the connected objects, with helpers that save the mask and an overlay.
/// </summary>
public sealed class SegmentResult
{
    private readonly float[] _scores;
    private readonly DecodedImage _image;
    private readonly int _minObjectArea;
    private IReadOnlyList<SegmentedObject>? _objects;

    internal SegmentResult(string source, DecodedImage image, IReadOnlyList<string> classes, float[] scores, byte[] labels, int minObjectArea)
    {
        Source = source;
        _image = image;
        Classes = classes;
        _scores = scores;
        Labels = labels;
        _minObjectArea = minObjectArea;
    }

    /// <summary>The image segmented (its file name, or the stream/buffer name).</summary>
    public string Source { get; }

    /// <summary>Image width.</summary>
    public int Width => _image.Width;

    /// <summary>Image height.</summary>
    public int Height => _image.Height;

    /// <summary>Class names.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>[H, W] row-major labels: 0 background, i + 1 for class i.</summary>
    public byte[] Labels { get; }

    /// <summary>The probability map of class <paramref name="classIndex"/>, [H, W] row-major.</summary>
    public ReadOnlySpan<float> Scores(int classIndex) => _scores.AsSpan(classIndex * Width * Height, Width * Height);

    /// <summary>Whether each pixel is class <paramref name="classIndex"/>, [H, W] row-major.</summary>
    public bool[] ClassMask(int classIndex) => [.. Labels.Select(l => l == classIndex + 1)];

    /// <summary>Pixels of each class.</summary>
    public IReadOnlyList<int> Areas
    {
        get
        {
            var areas = new int[Classes.Count];
            foreach (byte l in Labels) if (l > 0) areas[l - 1]++;
            return areas;
        }
    }

    /// <summary>The connected objects of every class, largest first (computed on first use).</summary>
    public IReadOnlyList<SegmentedObject> Objects => _objects ??= ConnectedObjects.Find(this, _minObjectArea);

    /// <summary>Mean probability of class <paramref name="classIndex"/> over the pixels labelled with it (0 when none are).</summary>
    public float Confidence(int classIndex)
    {
        var scores = Scores(classIndex);
        double sum = 0;
        int count = 0;
        for (int i = 0; i < Labels.Length; i++)
        {
            if (Labels[i] != classIndex + 1) continue;
            sum += scores[i];
            count++;
        }
        return count == 0 ? 0 : (float)(sum / count);
    }

    /// <summary>The objects as COCO result annotations for image <paramref name="imageId"/>, ids from <paramref name="firstId"/>.</summary>
    public IReadOnlyList<CocoAnnotation> ToCoco(int imageId, int firstId = 1) =>
        [.. Objects.Select((o, i) => new CocoAnnotation(firstId + i, imageId, o.ClassIndex + 1, new CocoRleSegmentation([Height, Width], o.Rle),
            [o.Polygon], o.Area, [o.Box.X, o.Box.Y, o.Box.Width, o.Box.Height], o.Score))];

    /// <summary>
    /// Writes the mask as PNG: 0/255 for one class, the label ids (0, 1, 2, …) for several. An existing file is replaced
    /// only with <paramref name="overwrite"/>.
    /// </summary>
    public void SaveMask(string path, bool overwrite = false)
    {
        byte[] gray = Labels;
        if (Classes.Count == 1)
        {
            gray = new byte[Labels.Length];
            System.Numerics.Tensors.TensorPrimitives.Multiply(Labels, (byte)255, gray);          // labels are 0/1 here
        }
        using var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Gray8, SKAlphaType.Opaque));
        CopyRows(gray, bitmap, Width);
        Save(bitmap, path, overwrite);
    }

    /// <summary>Writes the image with each class tinted in its colour and outlined (<see cref="OverlayPixels"/>), as PNG.</summary>
    public void SaveOverlay(string path, float opacity = 0.5f, bool overwrite = false)
    {
        var rgba = OverlayPixels(opacity);
        using var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        CopyRows(rgba, bitmap, Width * 4);
        Save(bitmap, path, overwrite);
    }

    /// <summary>
    /// The image with each class tinted in its colour at <paramref name="opacity"/> and outlined (white on dark
    /// pixels, black on light ones): [H, W, 4] RGBA bytes, row-major, e.g. for a video frame.
    /// </summary>
    public byte[] OverlayPixels(float opacity = 0.5f)
    {
        if (!(opacity >= 0 && opacity <= 1)) throw new ArgumentOutOfRangeException(nameof(opacity), opacity, "the overlay opacity must be in [0, 1]");
        var rgba = (byte[])_image.Rgba.Clone();
        for (int i = 0; i < Labels.Length; i++)
        {
            int label = Labels[i];
            if (label == 0) continue;
            var (r, g, b) = Palette(label - 1);
            int x = i % Width, y = i / Width;
            bool edge = (x > 0 && Labels[i - 1] != label) || (x < Width - 1 && Labels[i + 1] != label)
                || (y > 0 && Labels[i - Width] != label) || (y < Height - 1 && Labels[i + Width] != label);
            float a = edge ? 1f : opacity;
            // Outlines are white on dark pixels and black on light ones, so they show on objects of the tint's colour.
            if (edge) (r, g, b) = rgba[4 * i] + rgba[4 * i + 1] + rgba[4 * i + 2] > 384 ? ((byte)0, (byte)0, (byte)0) : ((byte)255, (byte)255, (byte)255);
            rgba[4 * i] = (byte)(rgba[4 * i] * (1 - a) + r * a);
            rgba[4 * i + 1] = (byte)(rgba[4 * i + 1] * (1 - a) + g * a);
            rgba[4 * i + 2] = (byte)(rgba[4 * i + 2] * (1 - a) + b * a);
            rgba[4 * i + 3] = 255;
        }
        return rgba;
    }

    /// <summary>The colour of class <paramref name="classIndex"/> in overlays.</summary>
    public static (byte R, byte G, byte B) Palette(int classIndex) => Colours[classIndex % Colours.Length];

    private static readonly (byte, byte, byte)[] Colours =
    [
        (230, 25, 75), (60, 180, 75), (0, 130, 200), (245, 130, 48), (145, 30, 180), (70, 240, 240),
        (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128), (170, 110, 40), (128, 0, 0),
    ];

    private static void CopyRows(byte[] source, SKBitmap bitmap, int rowBytes)
    {
        nint pixels = bitmap.GetPixels();
        for (int y = 0; y < bitmap.Height; y++) Marshal.Copy(source, y * rowBytes, pixels + y * bitmap.RowBytes, rowBytes);
    }

    private static void Save(SKBitmap bitmap, string path, bool overwrite)
    {
        // zlib level 3: masks are mostly runs, so a higher level buys little size for several milliseconds per frame.
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, 3)) ?? throw new IOException($"{path}: PNG encoding failed");
        OutputFile.Write(path, data.SaveTo, overwrite);
    }
}
