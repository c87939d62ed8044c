using Exemplar.Models;
using Exemplar.Models.Zoo;
using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Exemplar.Vision.IO;
using Exemplar.Vision.Masks;

namespace Exemplar.InContext;

/// <summary>
/// Segmentation by example in one object: a zoo encoder loaded with its weights (frozen, in evaluation mode) and a
/// <see cref="Segmenter"/> with that encoder's default options. Dispose it to free the encoder.
/// </summary>
/// <example><code>
/// using Exemplar.InContext;
///
/// using var segmenter = ZooSegmenter.Load("mobilenetv2", "mobilenetv2-12-int8.onnx");
/// using var prompt = segmenter.Encode(("shelf.jpg", "shelf_product.png"));
/// using var result = segmenter.Segment(prompt, "photo.jpg");   // result.LabelMap: 0 background, 1 the product
/// </code></example>
public sealed class ZooSegmenter : IDisposable
{
    private readonly IImageEncoder _encoder;

    private ZooSegmenter(IImageEncoder encoder, Segmenter segmenter)
    {
        _encoder = encoder;
        Segmenter = segmenter;
    }

    /// <summary>The segmenter (its encoder, options and prompt encoder), for anything the shortcuts here do not cover.</summary>
    public Segmenter Segmenter { get; }

    /// <summary>Loads the zoo model <paramref name="model"/> (see <see cref="ModelZoo.Models"/>) from <paramref name="weights"/>.</summary>
    /// <param name="model">A zoo name, e.g. <c>mobilenetv2</c> or <c>dinov2_vits14</c>.</param>
    /// <param name="weights">Its weight file.</param>
    /// <param name="configure">
    /// Adjusts the encoder's default options (<see cref="SegmenterOptions.For"/>), e.g. <c>o => o with { Threshold = 0.4 }</c>.
    /// </param>
    /// <param name="decoder">
    /// A decoder file trained for this encoder (<see cref="DecoderFile"/>), or null for the training-free decoder. Its
    /// training input size becomes the default input size.
    /// </param>
    /// <exception cref="ArgumentException">No zoo model has that name, or the decoder was trained for another encoder or levels, or is a propagation decoder.</exception>
    /// <exception cref="FileNotFoundException">The weight or decoder file does not exist.</exception>
    /// <exception cref="Torch.Serialization.CheckpointFormatException">The file is not weights for this model, or not a decoder file.</exception>
    public static ZooSegmenter Load(string model, string weights, Func<SegmenterOptions, SegmenterOptions>? configure = null, string? decoder = null)
    {
        var entry = ModelZoo.Get(model);
        var encoder = entry.Load(weights);
        LearnedDecoder? learned = null;
        try
        {
            ((Module)encoder).Freeze();
            var options = SegmenterOptions.For(encoder);
            DecoderInfo? info = null;
            if (decoder is not null)
            {
                (learned, info) = DecoderFile.Load(decoder);
                if (info.Prior)
                    throw new ArgumentException($"{decoder} is a propagation decoder (it reads the previous frame's masks): it decodes video frames in a bundle's tracker graph (exemplar export --tracker-decoder), not images");
                options = options with { InputSize = info.InputSize };
            }
            if (configure is not null) options = configure(options);
            // Checked on the levels the segmenter will match, after the caller's configuration.
            if (info is not null) DecoderFile.CheckFits(decoder!, info, entry.Name, options.Levels);
            return new ZooSegmenter(encoder, new Segmenter(encoder, entry.Name, options, learned));
        }
        catch
        {
            learned?.Dispose();
            encoder.Dispose();
            throw;
        }
    }

    /// <summary>Encodes examples (any number of classes); the caller owns the result.</summary>
    public PromptFeatures Encode(PromptSet examples) => Segmenter.PromptEncoder.Encode(examples);

    /// <summary>
    /// Encodes one class, named "object", from image files and their binary masks (0/1, 0/255 or any colour on
    /// black); the caller owns the result.
    /// </summary>
    /// <exception cref="Vision.ImageFormatException">An image or mask cannot be read, or a mask does not fit its image.</exception>
    public PromptFeatures Encode(params (string Image, string Mask)[] examples)
    {
        using var set = ReadExamples(examples);
        return Encode(set);
    }

    /// <summary>
    /// Reads image files and their binary masks (0/1, 0/255 or any colour on black) as examples of one class, named
    /// "object" (validated); the caller owns the set.
    /// </summary>
    /// <exception cref="Vision.ImageFormatException">An image or mask cannot be read, or a mask does not fit its image.</exception>
    public static PromptSet ReadExamples(params (string Image, string Mask)[] examples)
    {
        var set = new PromptSet(["object"]);
        try
        {
            foreach (var (imagePath, maskPath) in examples)
            {
                using var scope = DisposeScope.Begin();
                MaskValidation.EnsureSameSize(imagePath, maskPath);
                var image = ImageReader.ReadTensor(imagePath, ImageReadOptions.Rgb);
                using var mask = MaskDecoder.Read(maskPath, MaskEncodings.AnyBinary);
                set.Add(image.MoveToOuterScope(), mask.Labels.To(DType.UInt8).Unsqueeze(0).MoveToOuterScope(), $"{imagePath} + {maskPath}");
            }
            set.Validate();
            return set;
        }
        catch
        {
            set.Dispose();
            throw;
        }
    }

    /// <summary>Segments one image <c>[3, H, W]</c> uint8; the caller owns the result.</summary>
    public SegmentationResult Segment(PromptFeatures prompt, Tensor image) => Segmenter.Segment(prompt, image);

    /// <summary>Segments the image file at <paramref name="imagePath"/>; the caller owns the result.</summary>
    public SegmentationResult Segment(PromptFeatures prompt, string imagePath)
    {
        using var image = ImageReader.ReadTensor(imagePath, ImageReadOptions.Rgb);
        return Segment(prompt, image);
    }

    /// <summary>Frees the encoder and the decoder.</summary>
    public void Dispose()
    {
        Segmenter.Decoder?.Dispose();
        _encoder.Dispose();
    }
}
