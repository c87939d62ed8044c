using Exemplar.Models.Onnx;
using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.MobileNet;

/// <summary>
/// MobileNetV2 (Sandler et al. 2018) with torchvision's layout and names (width 1.0 unless
/// <see cref="MobileNetV2Options.WidthMultiplier"/> says otherwise; the channels below are width 1.0's), batch norm folded into the
/// convolutions (which therefore have biases): <c>features.0</c> 3×3 stride-2 convolution to 32 channels + ReLU6,
/// <c>features.1</c>–<c>features.17</c> inverted residual blocks, <c>features.18</c> 1×1 convolution to 1280 + ReLU6,
/// global average pooling and <c>classifier</c> (dropout, linear 1280 → classes). About 300 M multiply-accumulates at
/// 224×224. Load ImageNet weights with <see cref="FromOnnx(string)"/>. Inputs: image [N, 3, H, W] float, RGB normalised with
/// <see cref="Preprocessing"/>, H and W multiples of 32.
/// </summary>
public sealed class MobileNetV2 : Module<Tensor, Tensor>, IImageEncoder
{
    /// <summary>torchvision's (t, c, n, s) table: expansion, output channels, repeats, first stride.</summary>
    private static readonly (int T, int C, int N, int S)[] Table =
        [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)];

    private const int StemChannels = 32;
    private const int LastChannels = 1280;

    /// <summary>The block whose stride 2 becomes 1 at output stride 16 (the first of the 160-channel stage).</summary>
    private const int DilatedFrom = 14;

    private readonly int[] _levelStrides;
    private readonly long[] _levelChannels;

    /// <summary>Creates the network with PyTorch's default initialisation (random weights).</summary>
    public MobileNetV2(MobileNetV2Options? options = null)
    {
        Options = options ?? new MobileNetV2Options();
        if (Options.NumClasses < 1) throw new ArgumentOutOfRangeException(nameof(options), Options.NumClasses, "NumClasses must be positive");
        if (!(Options.WidthMultiplier > 0)) throw new ArgumentOutOfRangeException(nameof(options), Options.WidthMultiplier, "WidthMultiplier must be positive");
        if (Options.OutputStride is not (16 or 32)) throw new ArgumentOutOfRangeException(nameof(options), Options.OutputStride, "OutputStride must be 16 or 32");
        double width = Options.WidthMultiplier;
        long stem = RoundChannels(StemChannels * width);
        var features = new Sequential(InvertedResidual.ConvRelu6(3, stem, 3, 2, 1));
        var strides = new List<int> { 2 };
        var channels = new List<long> { stem };
        long inChannels = stem;
        int dilation = 1;
        foreach (var (t, c, n, s) in Table)
        {
            long outChannels = RoundChannels(c * width);
            for (int i = 0; i < n; i++)
            {
                int stride = i == 0 ? s : 1;
                int blockDilation = dilation;
                // Output stride 16 as in DeepLab and torchvision's replace_stride_with_dilation: the block that would
                // halve the map keeps it (still undilated, it sees the same grid as before), and every later depthwise
                // convolution is dilated by the stride given up, so that the receptive field stays the stride-32 one.
                if (Options.OutputStride == 16 && features.Count == DilatedFrom)
                {
                    stride = 1;
                    dilation = 2;
                }
                features.Append(new InvertedResidual(inChannels, outChannels, stride, t, blockDilation));
                strides.Add(strides[^1] * stride);
                channels.Add(outChannels);
                inChannels = outChannels;
            }
        }
        long last = RoundChannels(LastChannels * Math.Max(1.0, width));
        features.Append(InvertedResidual.ConvRelu6(inChannels, last, 1, 1, 1));
        strides.Add(strides[^1]);
        channels.Add(last);
        Features = RegisterModule("features", features);
        Classifier = RegisterModule("classifier", new Sequential(new Dropout(Options.DropoutRate), new Linear(last, Options.NumClasses)));
        (_levelStrides, _levelChannels) = (strides.ToArray(), channels.ToArray());
    }

    /// <summary>
    /// torchvision's <c>_make_divisible(v, 8)</c>: the nearest multiple of 8 (at least 8), one step up where that
    /// would fall more than 10% below <paramref name="channels"/>.
    /// </summary>
    public static long RoundChannels(double channels)
    {
        long rounded = Math.Max(8, (long)(channels + 4) / 8 * 8);
        return rounded < 0.9 * channels ? rounded + 8 : rounded;
    }

    /// <summary>Loads the ONNX model zoo's MobileNetV2-1.0 (quantised <c>mobilenetv2-12-int8.onnx</c>) dequantised into float, in evaluation mode.</summary>
    /// <exception cref="OnnxFormatException">The file is malformed, or its graph is not that network (the message names the file and the first mismatch).</exception>
    public static MobileNetV2 FromOnnx(string path) => MobileNetV2OnnxLoader.Load(path);

    /// <summary>
    /// The ONNX model zoo's MobileNetV2-1.0 weights in a network built with <paramref name="options"/> (e.g. output
    /// stride 16, whose weights have the same shapes), in evaluation mode.
    /// </summary>
    /// <exception cref="ArgumentException">The options ask for a width other than 1.0 or another class count: the file has no such weights.</exception>
    /// <exception cref="OnnxFormatException">As <see cref="FromOnnx(string)"/>.</exception>
    public static MobileNetV2 FromOnnx(string path, MobileNetV2Options options)
    {
        if (options.WidthMultiplier != 1.0 || options.NumClasses != 1000)
        {
            throw new ArgumentException(
                $"{path} holds MobileNetV2-1.0 ImageNet weights (1000 classes); they cannot fill a network of width {options.WidthMultiplier} " +
                $"with {options.NumClasses} classes: build it without a weight file (random initialisation)", nameof(options));
        }
        var source = FromOnnx(path);
        if (options == source.Options) return source;
        using var loaded = source;
        var model = new MobileNetV2(options);
        try
        {
            model.LoadStateDict(source.StateDict());
            model.Eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Stops training <c>features.18</c> and the classifier, for a dense head that taps earlier levels: they stay (so
    /// that an ImageNet file still maps onto the whole network) but get no gradients and count as not trainable.
    /// </summary>
    public void FreezeClassificationHead()
    {
        Features[LevelCount - 1].Freeze();
        Classifier.Freeze();
    }

    /// <summary>The parameters of <c>features.18</c> and the classifier, which a dense head tapping earlier levels never uses.</summary>
    public IEnumerable<Tensor> ClassificationHeadParameters() => Features[LevelCount - 1].Parameters().Concat(Classifier.Parameters());

    /// <summary>The last level at each stride 2, 4, 8, 16, 32 (features.1, .3, .6, .13, .18): the usual pyramid taps.</summary>
    public static IReadOnlyList<int> StageEnds { get; } = [1, 3, 6, 13, 18];

    /// <summary>How the network was built.</summary>
    public MobileNetV2Options Options { get; }

    /// <summary>The 19 stages <c>features.0</c> … <c>features.18</c>.</summary>
    public Sequential Features { get; }

    /// <summary>Dropout and the linear layer: [N, 1280] → [N, classes].</summary>
    public Sequential Classifier { get; }

    /// <summary>Input pixels per feature cell after each level (2, 2, 4, 4, 8, …, 32; 16 at the end at output stride 16).</summary>
    public IReadOnlyList<int> LevelStrides => _levelStrides;

    /// <summary>Channels after each level (32, 16, 24, 24, 32, …, 320, 1280).</summary>
    public IReadOnlyList<long> LevelChannels => _levelChannels;

    /// <inheritdoc/>
    public Preprocessing Preprocessing => DefaultPreprocessing;

    /// <summary>ImageNet normalisation, sides a multiple of 32, trained at 224.</summary>
    public static Preprocessing DefaultPreprocessing { get; } = Preprocessing.ImageNet(32, 224);

    /// <inheritdoc/>
    public long FeatureChannels => _levelChannels[^1];

    /// <inheritdoc/>
    public int LevelCount => _levelStrides.Length;

    /// <summary>Class logits: image [N, 3, H, W] → [N, classes] (apply softmax for probabilities).</summary>
    public override Tensor Forward(Tensor input)
    {
        CheckImage(input);
        using var scope = DisposeScope.Begin();
        var pooled = Features.Forward(input).Mean([2, 3]);
        return Classifier.Forward(pooled).MoveToOuterScope();
    }

    /// <summary>The final map <c>features.18</c>: image [N, 3, H, W] → [N, 1280, H/32, W/32].</summary>
    public FeatureMap ForwardFeatures(Tensor image)
    {
        CheckImage(image);
        return new FeatureMap(Features.Forward(image), _levelStrides[^1], $"features.{LevelCount - 1}");
    }

    /// <summary>
    /// The maps after <c>features.i</c> for each asked level i (negative counts from the end), in the order asked:
    /// [N, LevelChannels[i], H/LevelStrides[i], W/LevelStrides[i]]. Stops after the deepest level asked.
    /// </summary>
    public IReadOnlyList<FeatureMap> ForwardIntermediates(Tensor image, IReadOnlyList<int> levels)
    {
        CheckImage(image);
        var wanted = levels.Select(l => l < 0 ? l + LevelCount : l).ToArray();
        for (int i = 0; i < wanted.Length; i++)
        {
            if (wanted[i] < 0 || wanted[i] >= LevelCount)
            {
                throw new ArgumentOutOfRangeException(nameof(levels), levels[i], $"MobileNetV2 has levels 0 to {LevelCount - 1} (or -{LevelCount} to -1)");
            }
        }
        if (wanted.Length == 0) return [];
        using var scope = DisposeScope.Begin();
        var outputs = new Tensor[wanted.Max() + 1];
        var x = image;
        for (int i = 0; i < outputs.Length; i++)
        {
            x = outputs[i] = Features[i].Forward(x);
            // Free each activation that is not asked for as soon as the next stage has consumed it: the peak memory
            // (and the fresh pages a large batch would touch) stays that of one stage, as in PyTorch.
            if (i > 0 && !wanted.Contains(i - 1)) outputs[i - 1].Dispose();
        }
        return wanted.Select(l => new FeatureMap(outputs[l].Alias().MoveToOuterScope(), _levelStrides[l], $"features.{l}")).ToList();
    }

    private void CheckImage(Tensor image)
    {
        var shape = image.Shape;
        int multiple = Preprocessing.SizeMultiple;
        if (shape.Length != 4 || shape[1] != 3)
        {
            throw new ArgumentException($"MobileNetV2 expects an image batch [N, 3, H, W], got [{string.Join(", ", shape)}]", nameof(image));
        }
        if (!image.DType.IsFloatingPoint()) throw new ArgumentException($"MobileNetV2 expects a normalised floating-point image, got {image.DType}", nameof(image));
        if (shape[2] % multiple != 0 || shape[3] % multiple != 0 || shape[2] == 0 || shape[3] == 0)
        {
            throw new ArgumentException($"MobileNetV2 needs height and width that are positive multiples of {multiple}, got {shape[2]}×{shape[3]}", nameof(image));
        }
    }
}
