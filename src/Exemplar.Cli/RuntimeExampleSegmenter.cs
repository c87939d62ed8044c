using Exemplar.InContext;
using Exemplar.Runtime;
using Exemplar.Torch;
using Exemplar.Vision.Masks;

namespace Exemplar.Cli;

/// <summary>
/// An Exemplar.Runtime bundle as an <see cref="IExampleSegmenter"/>, so that evaluation (and the parity tests) run the
/// ONNX Runtime path on the same episodes as the libtorch one: tensors go in as raw pixel buffers, results come back
/// as tensors.
/// </summary>
internal sealed class RuntimeExampleSegmenter(ExemplarModel model, SegmentOptions? options = null) : IExampleSegmenter
{
    private readonly SegmentOptions _options = options ?? new SegmentOptions();

    /// <inheritdoc/>
    public string Name => $"{model.Info.Encoder}-{model.Info.Precision}-onnx" + (_options.FlipTest ? "+flip" : "");

    /// <inheritdoc/>
    public IReadOnlyList<SegmentationResult> SegmentEpisode(PromptSet prompts, IReadOnlyList<Tensor> targets)
    {
        using var prompt = Encode(model, prompts);
        var results = new List<SegmentationResult>();
        foreach (var target in targets) results.Add(Segment(model, prompt, target, "target", _options));
        return results;
    }

    /// <summary>Encodes a prompt set (masks read by the CLI's options) with the runtime: one example per image, a mask per class.</summary>
    public static Prompt Encode(ExemplarModel model, PromptSet prompts) => model.Encode(Examples(prompts));

    /// <summary>A prompt set (masks read by the CLI's options) as runtime examples: one per image, a mask per class.</summary>
    public static IReadOnlyList<Example> Examples(PromptSet prompts) => [.. prompts.Examples.Select(e => new Example(
        Pixels(e.Image, e.Source),
        [.. prompts.ClassNames.Select((name, c) => { using var m = e.Masks.Select(0, c); return new ClassMask(name, Gray(m, e.Source)); })],
        e.Ignore is null ? null : Gray(e.Ignore, e.Source)))];

    /// <summary>Segments a [3, H, W] uint8 image with the runtime; the result as tensors (the caller owns them).</summary>
    public static SegmentationResult Segment(ExemplarModel model, Prompt prompt, Tensor image, string name, SegmentOptions options) =>
        ToTensors(model.Segment(prompt, Pixels(image, name), options));

    /// <summary>A [3, H, W] uint8 RGB tensor as an interleaved pixel buffer.</summary>
    internal static ImageInput Pixels(Tensor image, string name)
    {
        using var hwc = image.Permute(1, 2, 0).Contiguous();
        return ImageInput.FromPixels(hwc.ToArray<byte>(), (int)image.Size(2), (int)image.Size(1), PixelFormat.Rgb24, name: name);
    }

    /// <summary>A [H, W] mask (non-zero = in) as a 0/255 gray buffer.</summary>
    private static ImageInput Gray(Tensor mask, string name)
    {
        using var scope = DisposeScope.Begin();
        var bytes = mask.Ne(0).To(DType.UInt8) * 255;
        return ImageInput.FromPixels(bytes.Contiguous().ToArray<byte>(), (int)mask.Size(1), (int)mask.Size(0), PixelFormat.Gray8, name: name);
    }

    /// <summary>A runtime result as tensors: labels, class masks and probabilities (the caller owns them).</summary>
    internal static SegmentationResult ToTensors(SegmentResult result)
    {
        int classes = result.Classes.Count, h = result.Height, w = result.Width;
        var scores = new float[(long)classes * h * w];
        for (int c = 0; c < classes; c++) result.Scores(c).CopyTo(scores.AsSpan(c * h * w));
        using var scope = DisposeScope.Begin();
        var labels = Tensor.From(result.Labels, h, w).To(DType.Int64);
        var masks = LabelMap.ClassMasks(labels, classes);
        return new SegmentationResult(labels.MoveToOuterScope(), masks.MoveToOuterScope(), Tensor.From(scores, classes, h, w).MoveToOuterScope());
    }
}
