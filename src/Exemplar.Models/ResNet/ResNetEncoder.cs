using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.ResNet;

/// <summary>Which bottleneck ResNet: blocks per stage.</summary>
/// <param name="Name">e.g. "resnet50".</param>
/// <param name="Blocks">Bottleneck blocks in layer1..layer4.</param>
public sealed record ResNetVariant(string Name, int[] Blocks)
{
    /// <summary>ResNet-50: 3, 4, 6, 3.</summary>
    public static ResNetVariant ResNet50 { get; } = new("resnet50", [3, 4, 6, 3]);

    /// <summary>ResNet-101: 3, 4, 23, 3.</summary>
    public static ResNetVariant ResNet101 { get; } = new("resnet101", [3, 4, 23, 3]);
}

/// <summary>
/// torchvision's bottleneck ResNet (the classic few-shot segmentation backbone) with torchvision's key names, so a
/// torchvision <c>resnet50-*.pth</c> loads strictly: stem (conv1, bn1, ReLU, 3x3 max-pool), layer1..layer4 and the
/// ImageNet classifier <c>fc</c>. Image [N, 3, H, W] → stages at strides 4, 8, 16, 32 with 256, 512, 1024, 2048 channels.
/// As in torchvision, layer2..layer4 can trade their stride for dilation (<c>replace_stride_with_dilation</c>): the
/// segmentation models use [false, true, true], output stride 8.
/// </summary>
public sealed class ResNetEncoder : Module<Tensor, Tensor>, IImageEncoder
{
    private readonly int[] _stageStrides = new int[4];

    /// <summary>Creates the network with torchvision's initialisation (Kaiming normal, fan-out, for convolutions).</summary>
    /// <param name="variant">Which ResNet.</param>
    /// <param name="classes">ImageNet classifier outputs; 0 leaves out <c>fc</c> (a backbone, as torchvision's segmentation models hold it).</param>
    /// <param name="replaceStrideWithDilation">
    /// For layer2, layer3, layer4: whether to dilate instead of striding (torchvision's semantics: the stage's first
    /// block keeps the previous dilation, the later ones use the new one); null for none.
    /// </param>
    public ResNetEncoder(ResNetVariant variant, int classes = 1000, IReadOnlyList<bool>? replaceStrideWithDilation = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(classes);
        if (replaceStrideWithDilation is { Count: not 3 })
        {
            throw new ArgumentException($"replaceStrideWithDilation has one flag per stage layer2..layer4, got {replaceStrideWithDilation.Count}", nameof(replaceStrideWithDilation));
        }
        Variant = variant;
        Conv1 = RegisterModule("conv1", new Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(64));
        long inChannels = 64;
        var stages = new List<Sequential>();
        int dilation = 1, outputStride = 4;
        for (int s = 0; s < 4; s++)
        {
            long width = 64L << s;
            int stride = s > 0 ? 2 : 1;
            int previousDilation = dilation;
            if (s > 0 && replaceStrideWithDilation?[s - 1] == true)
            {
                dilation *= stride;
                stride = 1;
            }
            outputStride *= stride;
            _stageStrides[s] = outputStride;
            var stage = new Sequential();
            for (int b = 0; b < variant.Blocks[s]; b++)
            {
                // torchvision builds the first block with the dilation before this stage's change.
                stage.Append(new Bottleneck(inChannels, width, b == 0 ? stride : 1, b == 0 ? previousDilation : dilation));
                inChannels = width * Bottleneck.Expansion;
            }
            stages.Add(RegisterModule($"layer{s + 1}", stage));
        }
        Stages = stages;
        Fc = classes > 0 ? RegisterModule("fc", new Linear(inChannels, classes)) : null;
        foreach (var (_, m) in NamedModules())
        {
            if (m is Conv2d conv) Init.KaimingNormal_(conv.Weight, fanOut: true);
        }
    }

    /// <summary>Which ResNet.</summary>
    public ResNetVariant Variant { get; }

    /// <summary>Stem convolution, 7x7 stride 2.</summary>
    public Conv2d Conv1 { get; }

    /// <summary>Stem batch norm.</summary>
    public BatchNorm2d Bn1 { get; }

    /// <summary>layer1..layer4.</summary>
    public IReadOnlyList<Sequential> Stages { get; }

    /// <summary>ImageNet classifier, or null for a bare backbone.</summary>
    public Linear? Fc { get; }

    /// <summary>Strides of layer1..layer4 (4, 8, 16, 32 undilated; 4, 8, 8, 8 with torchvision's segmentation dilation).</summary>
    public IReadOnlyList<int> StageStrides => _stageStrides;

    /// <summary>ImageNet normalisation, sides a multiple of 32, trained at 224.</summary>
    public static Preprocessing DefaultPreprocessing { get; } = Preprocessing.ImageNet(32, 224);

    /// <inheritdoc/>
    public Preprocessing Preprocessing => DefaultPreprocessing;

    /// <inheritdoc/>
    public long FeatureChannels => 2048;

    /// <inheritdoc/>
    public int LevelCount => 4;

    /// <summary>Class logits: image [N, 3, H, W] → [N, classes].</summary>
    /// <exception cref="InvalidOperationException">It was built without a classifier.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (Fc is null) throw new InvalidOperationException("this ResNet was built without its classifier (classes: 0); use ForwardFeatures");
        using var scope = DisposeScope.Begin();
        using var features = ForwardFeatures(input);
        return Fc.Forward(features.Features.Mean([2, 3])).MoveToOuterScope();
    }

    /// <inheritdoc/>
    public FeatureMap ForwardFeatures(Tensor image) => ForwardIntermediates(image, [3])[0];

    /// <inheritdoc/>
    public IReadOnlyList<FeatureMap> ForwardIntermediates(Tensor image, IReadOnlyList<int> levels)
    {
        var wanted = levels.Select(l => l < 0 ? l + LevelCount : l).ToArray();
        if (wanted.Any(l => l is < 0 or >= 4)) throw new ArgumentOutOfRangeException(nameof(levels), $"ResNet levels are 0..3 (layer1..layer4), got [{string.Join(", ", levels)}]");
        using var scope = DisposeScope.Begin();
        var x = Functional.MaxPool2d(Functional.Relu(Bn1.Forward(Conv1.Forward(image))), 3, 2, 1);
        var outputs = new Tensor[4];
        for (int s = 0; s <= wanted.Max(); s++)
        {
            x = Stages[s].Forward(x);
            outputs[s] = x;
        }
        return [.. wanted.Select(l => new FeatureMap(outputs[l].Alias().MoveToOuterScope(), _stageStrides[l], $"layer{l + 1}"))];
    }
}
