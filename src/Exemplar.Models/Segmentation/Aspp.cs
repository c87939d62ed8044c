using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.Segmentation;

/// <summary>
/// Atrous Spatial Pyramid Pooling (Chen et al., "Rethinking Atrous Convolution for Semantic Image Segmentation", 2017)
/// laid out as torchvision's <c>ASPP</c>: five parallel branches in <c>convs</c> (a 1x1 convolution, three dilated 3x3
/// convolutions, image pooling), each with batch norm and ReLU, concatenated and projected by <c>project</c> (1x1
/// convolution, batch norm, ReLU, dropout 0.5): [N, in, h, w] → [N, out, h, w].
/// </summary>
public sealed class Aspp : Module<Tensor, Tensor>
{
    /// <summary>Builds it with PyTorch's default initialisation.</summary>
    /// <param name="inChannels">Input channels (2048 for ResNet-50's layer4).</param>
    /// <param name="rates">Dilations of the 3x3 branches (torchvision's DeepLabV3: 12, 24, 36).</param>
    /// <param name="outChannels">Width of every branch and of the output (torchvision: 256).</param>
    public Aspp(long inChannels, IReadOnlyList<int> rates, long outChannels = 256)
    {
        var branches = new List<Module<Tensor, Tensor>> { ConvBnRelu(inChannels, outChannels, 1, 1) };
        foreach (int rate in rates) branches.Add(ConvBnRelu(inChannels, outChannels, 3, rate));
        branches.Add(new AsppPooling(inChannels, outChannels));
        Convs = RegisterModule("convs", new ModuleList<Module<Tensor, Tensor>>(branches));
        Project = RegisterModule("project", new Sequential(
            new Conv2d(branches.Count * outChannels, outChannels, 1, bias: false),
            new BatchNorm2d(outChannels),
            new Activation(ActivationKind.Relu),
            new Dropout(0.5)));
    }

    /// <summary>The parallel branches, the pooling one last.</summary>
    public ModuleList<Module<Tensor, Tensor>> Convs { get; }

    /// <summary>Projection of the concatenated branches.</summary>
    public Sequential Project { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Begin();
        var branches = Convs.Select(b => b.Forward(input)).ToArray();
        return Project.Forward(Tensor.Cat(branches, 1)).MoveToOuterScope();
    }

    private static Sequential ConvBnRelu(long inChannels, long outChannels, int kernel, int dilation) => new(
        new Conv2d(inChannels, outChannels, kernel, padding: kernel == 1 ? 0 : dilation, dilation: dilation, bias: false),
        new BatchNorm2d(outChannels),
        new Activation(ActivationKind.Relu));
}

/// <summary>
/// ASPP's image-pooling branch: global average pool, 1x1 convolution, batch norm, ReLU, then upsampled (bilinear) back
/// to the input's size: [N, in, h, w] → [N, out, h, w]. The convolution and norm are registered as <c>1</c> and <c>2</c>
/// because torchvision's <c>ASPPPooling</c> is a Sequential whose item 0 is the (parameterless) pool.
/// </summary>
public sealed class AsppPooling : Module<Tensor, Tensor>
{
    /// <summary>Builds it with PyTorch's default initialisation.</summary>
    public AsppPooling(long inChannels, long outChannels)
    {
        Conv = RegisterModule("1", new Conv2d(inChannels, outChannels, 1, bias: false));
        Norm = RegisterModule("2", new BatchNorm2d(outChannels));
    }

    /// <summary>The 1x1 convolution on the pooled map.</summary>
    public Conv2d Conv { get; }

    /// <summary>Its batch norm.</summary>
    public BatchNorm2d Norm { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Begin();
        var pooled = Functional.Relu(Norm.Forward(Conv.Forward(Functional.AdaptiveAvgPool2d(input, 1, 1))));
        return Functional.Interpolate(pooled, (int)input.Size(2), (int)input.Size(3), InterpolationMode.Bilinear).MoveToOuterScope();
    }
}
