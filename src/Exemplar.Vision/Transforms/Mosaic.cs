using Exemplar.Torch;

namespace Exemplar.Vision.Transforms;

/// <summary>Options of <see cref="Mosaic"/> (mmseg's <c>RandomMosaic</c>).</summary>
/// <param name="TileHeight">h of the tile scale; the output is 2h x 2w.</param>
/// <param name="TileWidth">w of the tile scale.</param>
public sealed record MosaicOptions(int TileHeight, int TileWidth)
{
    /// <summary>Probability of making a mosaic (otherwise the first sample is returned unchanged).</summary>
    public double Probability { get; init; } = 1.0;

    /// <summary>The centre is (U(Min, Max)·w, U(Min, Max)·h) on the 2h x 2w canvas.</summary>
    public double MinCenterRatio { get; init; } = 0.5;

    /// <summary>See <see cref="MinCenterRatio"/>.</summary>
    public double MaxCenterRatio { get; init; } = 1.5;

    /// <summary>Image filter used to fit each sample to the tile scale: bilinear or bicubic.</summary>
    public InterpolationMode ImageInterpolation { get; init; } = InterpolationMode.Bilinear;

    /// <summary>Low-pass before shrinking.</summary>
    public bool Antialias { get; init; } = true;

    /// <summary>Value of canvas pixels no sample covers.</summary>
    public double ImageFill { get; init; }

    /// <summary>Label of mask pixels no sample covers (the ignore value).</summary>
    public long MaskIgnore { get; init; } = 255;

    internal void Validate()
    {
        if (TileHeight < 1 || TileWidth < 1) throw new ArgumentException($"MosaicOptions: the tile scale must be positive, got {TileHeight}x{TileWidth}");
        if (Probability is < 0 or > 1 || double.IsNaN(Probability)) throw new ArgumentException($"MosaicOptions.Probability must be in [0, 1], got {Probability}");
        if (!(MinCenterRatio >= 0) || !(MaxCenterRatio >= MinCenterRatio) || MaxCenterRatio > 2) throw new ArgumentException($"MosaicOptions: need 0 <= MinCenterRatio <= MaxCenterRatio <= 2, got {MinCenterRatio}, {MaxCenterRatio}");
        if (ImageInterpolation is not (InterpolationMode.Bilinear or InterpolationMode.Bicubic)) throw new ArgumentException($"MosaicOptions.ImageInterpolation must be Bilinear or Bicubic, got {ImageInterpolation}");
    }
}

/// <summary>
/// Mosaic: four samples on a 2h x 2w canvas around a random centre (cx, cy). Each sample is first resized to fit the
/// h x w tile scale keeping its aspect ratio (size floor(H·s) x floor(W·s), s = min(h/H, w/W)), then placed with one
/// corner on the centre — sample 0 above-left, 1 above-right, 2 below-left, 3 below-right — and clipped to the canvas.
/// Uncovered pixels get the fill values. The result is 2h x 2w; its metadata is the first sample's.
/// </summary>
public sealed class Mosaic : IMixingTransform
{
    /// <summary>A transform with <paramref name="options"/>.</summary>
    public Mosaic(MosaicOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The options.</summary>
    public MosaicOptions Options { get; }

    /// <summary>Four.</summary>
    public int SampleCount => 4;

    /// <summary>Draws the coin, then cx, then cy.</summary>
    public SegmentationSample Mix(IReadOnlyList<SegmentationSample> samples, Random random)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(random);
        if (samples.Count != 4) throw new ArgumentException($"Mosaic: expected 4 samples, got {samples.Count}", nameof(samples));
        foreach (var s in samples) ArgumentNullException.ThrowIfNull(s, nameof(samples));
        if (!random.Chance(Options.Probability)) return samples[0].Alias();
        int cx = (int)(random.Uniform(Options.MinCenterRatio, Options.MaxCenterRatio) * Options.TileWidth);
        int cy = (int)(random.Uniform(Options.MinCenterRatio, Options.MaxCenterRatio) * Options.TileHeight);
        return Combine(samples, cy, cx);
    }

    /// <summary>Builds the mosaic with the centre at row <paramref name="centerY"/>, column <paramref name="centerX"/>.</summary>
    public SegmentationSample Combine(IReadOnlyList<SegmentationSample> samples, int centerY, int centerX)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count != 4) throw new ArgumentException($"Mosaic: expected 4 samples, got {samples.Count}", nameof(samples));
        int canvasH = 2 * Options.TileHeight, canvasW = 2 * Options.TileWidth;
        if (centerY < 0 || centerY > canvasH || centerX < 0 || centerX > canvasW) throw new ArgumentException($"Mosaic: centre ({centerY}, {centerX}) is outside the {canvasH}x{canvasW} canvas");
        var imageType = samples[0].Image.DType;
        var maskType = samples[0].Mask.DType;
        if (samples.Any(s => s.Image.DType != imageType || s.Mask.DType != maskType)) throw new ArgumentException("Mosaic: the four samples must have the same image dtype and the same mask dtype");
        ImageTensors.CheckFillFits(maskType, Options.MaskIgnore, "MosaicOptions.MaskIgnore");

        using var scope = DisposeScope.Begin();
        var device = samples[0].Image.Device;
        var image = Tensor.Full([3, canvasH, canvasW], Options.ImageFill, imageType, device);
        var mask = Tensor.Full([canvasH, canvasW], Options.MaskIgnore, maskType, device);
        for (int k = 0; k < 4; k++)
        {
            var s = samples[k];
            double scale = Math.Min((double)Options.TileHeight / s.Height, (double)Options.TileWidth / s.Width);
            int h = Math.Max(1, (int)(s.Height * scale)), w = Math.Max(1, (int)(s.Width * scale));
            // The tile's top-left corner on the canvas: left of / above the centre for k = 0, 2 / k = 0, 1.
            int top = k < 2 ? centerY - h : centerY;
            int left = k % 2 == 0 ? centerX - w : centerX;
            int y0 = Math.Max(top, 0), y1 = Math.Min(top + h, canvasH);
            int x0 = Math.Max(left, 0), x1 = Math.Min(left + w, canvasW);
            if (y1 <= y0 || x1 <= x0) continue;
            var tileImage = ImageTensors.ResizeImage(s.Image, h, w, Options.ImageInterpolation, Options.Antialias);
            var tileMask = ImageTensors.ResizeMask(s.Mask, h, w);
            var srcRows = new Range(y0 - top, y1 - top);
            var srcCols = new Range(x0 - left, x1 - left);
            image[.., new Range(y0, y1), new Range(x0, x1)] = tileImage[.., srcRows, srcCols];
            mask[new Range(y0, y1), new Range(x0, x1)] = tileMask[srcRows, srcCols];
        }
        return samples[0].With(image.MoveToOuterScope(), mask.MoveToOuterScope());
    }
}
