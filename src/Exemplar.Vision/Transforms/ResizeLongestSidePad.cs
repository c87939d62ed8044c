using Exemplar.Torch;

namespace Exemplar.Vision.Transforms;

/// <summary>How <see cref="ResizePadGeometry.For"/> turns the scaled short side into whole pixels.</summary>
public enum ResizeRounding
{
    /// <summary>floor(side · S / longest): the sizes SegIC's <c>F.interpolate(scale_factor=S / max(H, W))</c> gives.</summary>
    Floor,
    /// <summary>floor(side · S / longest + 0.5): SAM's <c>ResizeLongestSide.get_preprocess_shape</c>.</summary>
    HalfUp,
}

/// <summary>Options of <see cref="ResizeLongestSidePad"/> (defaults: SegIC's recipe).</summary>
public sealed record ResizePadOptions
{
    /// <summary>The side S of the square output; the longest image side is resized to it (SegIC uses 896).</summary>
    public int Size { get; init; } = 896;

    /// <summary>How the short side is rounded (SegIC floors).</summary>
    public ResizeRounding Rounding { get; init; } = ResizeRounding.Floor;

    /// <summary>Filter for images (and, when undoing, for score maps): bilinear or bicubic.</summary>
    public InterpolationMode ImageInterpolation { get; init; } = InterpolationMode.Bilinear;

    /// <summary>Low-pass before shrinking, as PIL does; SegIC resizes with plain <c>F.interpolate</c>, without.</summary>
    public bool Antialias { get; init; }

    /// <summary>Value of the padded image pixels (in the image's own units). SegIC's training code pads raw [0, 255] images with 128 before normalising.</summary>
    public double ImageFill { get; init; }

    /// <summary>Label of the padded mask pixels (the ignore value).</summary>
    public long MaskIgnore { get; init; } = 255;

    internal void Validate()
    {
        if (Size < 1) throw new ArgumentException($"ResizePadOptions.Size must be at least 1, got {Size}");
        if (ImageInterpolation is not (InterpolationMode.Bilinear or InterpolationMode.Bicubic))
        {
            throw new ArgumentException($"ResizePadOptions.ImageInterpolation must be Bilinear or Bicubic, got {ImageInterpolation}");
        }
    }
}

/// <summary>
/// The exact geometry of one <see cref="ResizeLongestSidePad"/>: the image was resized from
/// <see cref="OriginalHeight"/>x<see cref="OriginalWidth"/> to <see cref="ResizedHeight"/>x<see cref="ResizedWidth"/>
/// and padded at the bottom and right to <see cref="Size"/>x<see cref="Size"/>.
/// </summary>
/// <param name="OriginalHeight">H before resizing.</param>
/// <param name="OriginalWidth">W before resizing.</param>
/// <param name="ResizedHeight">h after resizing (the valid rows of the padded output are [0, h)).</param>
/// <param name="ResizedWidth">w after resizing (the valid columns are [0, w)).</param>
/// <param name="Size">S, the side of the padded square.</param>
/// <param name="Scale">S / max(H, W).</param>
public sealed record ResizePadGeometry(int OriginalHeight, int OriginalWidth, int ResizedHeight, int ResizedWidth, int Size, double Scale)
{
    /// <summary>
    /// The geometry for an H x W input and side S: scale = S / max(H, W); the longest side becomes S and the other
    /// floor(side · S / longest) (<see cref="ResizeRounding.Floor"/>, SegIC) or floor(side · S / longest + 0.5)
    /// (<see cref="ResizeRounding.HalfUp"/>, SAM), at least 1. 480x854 at S = 896: scale 896/854, 503 x 896 with
    /// Floor (503.6 floored, as SegIC), 504 x 896 with HalfUp.
    /// </summary>
    /// <remarks>
    /// Computed in exact integer arithmetic. SegIC's <c>F.interpolate(scale_factor=…)</c> computes
    /// floor(side · (S / longest)) in floating point, which for some sizes (e.g. a longest side of 55, 71 or 83) slips
    /// to S − 1 on the longest side; here the longest side is always S.
    /// </remarks>
    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public static ResizePadGeometry For(int height, int width, int size, ResizeRounding rounding = ResizeRounding.Floor)
    {
        if (height < 1 || width < 1) throw new ArgumentException($"ResizePadGeometry: the input must be at least 1x1, got {height}x{width}");
        if (size < 1) throw new ArgumentException($"ResizePadGeometry: the side must be at least 1, got {size}");
        long longest = Math.Max(height, width);
        int Scaled(int side) => (int)Math.Clamp(rounding == ResizeRounding.Floor
            ? (long)side * size / longest
            : ((long)side * size * 2 + longest) / (2 * longest), 1, size);
        return new ResizePadGeometry(height, width, Scaled(height), Scaled(width), size, (double)size / longest);
    }
}

/// <summary>
/// Resizes so that the longest side is S (keeping the aspect ratio) and pads at the bottom and right to S x S —
/// image with <see cref="ResizePadOptions.ImageFill"/>, mask with <see cref="ResizePadOptions.MaskIgnore"/> — and
/// undoes it exactly: crop [:h, :w], then resize back to H x W. This is the SegIC model card's recipe (S = 896).
/// </summary>
/// <remarks>
/// The card's post-processing snippet writes <c>869</c> where it means the <c>896</c> of the pre-processing: a typo.
/// Here both directions take S (and h, w) from the recorded <see cref="ResizePadGeometry"/>, which is the intent.
/// Images are resized as SegIC's code does (<c>F.interpolate(scale_factor=S / max(H, W), mode="bilinear")</c>);
/// masks with centre-aligned nearest neighbour, so an enlarged mask comes back exactly.
/// </remarks>
public sealed class ResizeLongestSidePad : ISegmentationTransform
{
    /// <summary>A transform with <paramref name="options"/> (defaults: S = 896, floor rounding, bilinear without antialiasing, pad 0 / 255).</summary>
    public ResizeLongestSidePad(ResizePadOptions? options = null)
    {
        Options = options ?? new ResizePadOptions();
        Options.Validate();
    }

    /// <summary>The options.</summary>
    public ResizePadOptions Options { get; }

    /// <summary>The geometry this transform gives an H x W input.</summary>
    public ResizePadGeometry GeometryFor(int height, int width) => ResizePadGeometry.For(height, width, Options.Size, Options.Rounding);

    /// <summary>Resizes and pads the image and mask; the geometry goes into <see cref="SampleMetadata.ResizePad"/>. Draws no random numbers.</summary>
    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return Forward(sample).Sample;
    }

    /// <summary>Resizes and pads the image and mask, returning the new sample and the geometry needed to undo it.</summary>
    public (SegmentationSample Sample, ResizePadGeometry Geometry) Forward(SegmentationSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var geometry = GeometryFor(sample.Height, sample.Width);
        using var scope = DisposeScope.Begin();
        var image = ResizeImage(sample.Image, geometry).MoveToOuterScope();
        var mask = ResizeMask(sample.Mask, geometry).MoveToOuterScope();
        var metadata = (sample.Metadata ?? new SampleMetadata()) with { ResizePad = geometry };
        return (new SegmentationSample(image, mask, metadata), geometry);
    }

    /// <summary>Resizes and pads an image [3, H, W] or [N, 3, H, W] (uint8 or float32) to [3, S, S] / [N, 3, S, S].</summary>
    /// <exception cref="ArgumentException">The image does not have the geometry's original size.</exception>
    public Tensor ResizeImage(Tensor image, ResizePadGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(geometry);
        ImageTensors.CheckImage(image, nameof(image), allowBatch: true);
        CheckSize(image, geometry.OriginalHeight, geometry.OriginalWidth, "image", "the geometry's original size");
        using var scope = DisposeScope.Begin();
        // Sample positions follow the scale S / max(H, W), as F.interpolate(scale_factor=…) does in SegIC, rather than
        // the ratio of the rounded sizes.
        var resized = ImageTensors.ResizeImage(image, geometry.ResizedHeight, geometry.ResizedWidth, Options.ImageInterpolation, Options.Antialias, geometry.Scale);
        return Pad(resized, geometry, Options.ImageFill).MoveToOuterScope();
    }

    /// <summary>Resizes (nearest) and pads a label map [H, W] or [N, H, W] to [S, S] / [N, S, S] with the ignore value.</summary>
    public Tensor ResizeMask(Tensor mask, ResizePadGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(geometry);
        ImageTensors.CheckMask(mask, nameof(mask), allowBatch: true);
        ImageTensors.CheckFillFits(mask.DType, Options.MaskIgnore, "ResizePadOptions.MaskIgnore");
        CheckSize(mask, geometry.OriginalHeight, geometry.OriginalWidth, "mask", "the geometry's original size");
        using var scope = DisposeScope.Begin();
        var resized = ImageTensors.ResizeMask(mask, geometry.ResizedHeight, geometry.ResizedWidth);
        return Pad(resized, geometry, Options.MaskIgnore).MoveToOuterScope();
    }

    /// <summary>
    /// Undoes <see cref="ResizeMask"/>: crops a label map [S, S] or [N, S, S] (any integer or bool dtype) to [:h, :w]
    /// and resizes it with nearest neighbour back to [H, W] / [N, H, W].
    /// </summary>
    public static Tensor RestoreMask(Tensor paddedMask, ResizePadGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(paddedMask);
        ArgumentNullException.ThrowIfNull(geometry);
        if (paddedMask.Dim is not (2 or 3)) throw new ArgumentException($"RestoreMask: expected [S, S] or [N, S, S], got shape [{string.Join(", ", paddedMask.Shape)}]", nameof(paddedMask));
        CheckSize(paddedMask, geometry.Size, geometry.Size, "padded mask", "S x S");
        using var scope = DisposeScope.Begin();
        var cropped = Crop(paddedMask, geometry);
        return ImageTensors.ResizeMask(cropped, geometry.OriginalHeight, geometry.OriginalWidth).MoveToOuterScope();
    }

    /// <summary>
    /// Undoes the resize for float maps (logits, probabilities or images) [C, S, S] or [N, C, S, S]: crops to
    /// [:h, :w] and resizes back to [C, H, W] / [N, C, H, W] with <paramref name="mode"/> (default bilinear, no antialiasing,
    /// as <c>F.interpolate</c> in the SegIC post-processing). Take the argmax after this, not before.
    /// </summary>
    public static Tensor RestoreScores(Tensor paddedScores, ResizePadGeometry geometry, InterpolationMode mode = InterpolationMode.Bilinear)
    {
        ArgumentNullException.ThrowIfNull(paddedScores);
        ArgumentNullException.ThrowIfNull(geometry);
        if (paddedScores.Dim is not (3 or 4)) throw new ArgumentException($"RestoreScores: expected [C, S, S] or [N, C, S, S], got shape [{string.Join(", ", paddedScores.Shape)}]", nameof(paddedScores));
        if (!paddedScores.DType.IsFloatingPoint()) throw new ArgumentException($"RestoreScores: expected a float tensor, got {paddedScores.DType}; use RestoreMask for label maps", nameof(paddedScores));
        CheckSize(paddedScores, geometry.Size, geometry.Size, "padded scores", "S x S");
        using var scope = DisposeScope.Begin();
        bool single = paddedScores.Dim == 3;
        var batch = single ? paddedScores.Unsqueeze(0) : paddedScores;
        var cropped = Crop(batch, geometry);
        var restored = Functional.Interpolate(cropped, geometry.OriginalHeight, geometry.OriginalWidth, mode);
        if (single) restored = restored.Squeeze(0);
        return restored.MoveToOuterScope();
    }

    private static Tensor Crop(Tensor tensor, ResizePadGeometry geometry)
    {
        int rank = tensor.Dim;
        using var rows = tensor.Narrow(rank - 2, 0, geometry.ResizedHeight);
        return rows.Narrow(rank - 1, 0, geometry.ResizedWidth);
    }

    private static Tensor Pad(Tensor resized, ResizePadGeometry geometry, double value) =>
        ImageTensors.PadBottomRight(resized, geometry.Size - geometry.ResizedHeight, geometry.Size - geometry.ResizedWidth, value);

    private static void CheckSize(Tensor tensor, int height, int width, string what, string expected)
    {
        long h = tensor.Size(-2), w = tensor.Size(-1);
        if (h != height || w != width)
        {
            throw new ArgumentException($"ResizeLongestSidePad: the {what} is {h}x{w} but {expected} is {height}x{width}");
        }
    }
}
