using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Exemplar.Torch.Tracing;

namespace Exemplar.Models.Quantization;

/// <summary>
/// Int8 fake quantisation of one convolution as ONNX Runtime's QDQ format runs it: the input and the output per
/// tensor, uint8 asymmetric, from observed ranges; the weight per output channel, int8 symmetric [−127, 127] with
/// scale max|w|/127 computed from the current weights at every pass (so quantisation-aware training sees the
/// quantisation of the weights it is updating).
/// </summary>
public sealed class ConvolutionFakeQuantizer : IConvolutionQuantizer
{
    private readonly NetworkQuantization _owner;

    internal ConvolutionFakeQuantizer(NetworkQuantization owner, string name, double? averagingConstant)
    {
        _owner = owner;
        Name = name;
        InputObserver = new ActivationObserver(averagingConstant);
        OutputObserver = new ActivationObserver(averagingConstant);
    }

    /// <summary>The convolution's name in the network.</summary>
    public string Name { get; }

    /// <summary>The input's range.</summary>
    public ActivationObserver InputObserver { get; }

    /// <summary>The output's range.</summary>
    public ActivationObserver OutputObserver { get; }

    /// <inheritdoc/>
    public Tensor Input(Tensor input) => Activation(input, InputObserver);

    /// <inheritdoc/>
    public Tensor Output(Tensor output) => Activation(output, OutputObserver);

    /// <inheritdoc/>
    public Tensor Weight(Tensor weight)
    {
        if (_owner.Mode == QuantizationMode.Calibrate) return weight.Alias();
        using var scope = DisposeScope.Begin();
        long channels = weight.Size(0);
        Tensor scales;
        using (LibTorch.NoGrad())
        {
            scales = (weight.Detach().Abs().Reshape([channels, -1]).Amax([1]) / 127.0).Clamp(min: 1e-8);
        }
        var zeros = Tensor.Zeros([channels], DType.Int32);
        return Functional.FakeQuantizePerChannel(weight, scales, zeros, 0, -127, 127).MoveToOuterScope();
    }

    private Tensor Activation(Tensor x, ActivationObserver observer)
    {
        var mode = _owner.Mode;
        // Ranges follow the data in calibration, and in training only while the network trains (not when the trainer
        // validates it); while tracing for export they are fixed: observing would read traced values.
        bool observe = mode == QuantizationMode.Calibrate || (mode == QuantizationMode.Train && _owner.Network.Training);
        if (observe && !OpTrace.IsRecording) observer.Observe(x);
        if (mode == QuantizationMode.Calibrate) return x.Alias();
        var (scale, zero) = observer.Parameters();
        return Functional.FakeQuantizePerTensor(x, scale, zero, 0, 255);
    }
}
