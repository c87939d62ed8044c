using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.Quantization;

/// <summary>
/// Int8 quantisation of a convolutional network, post-training (calibrate, then quantise) or aware of it in training
/// (fake-quantise while training): every batch norm that follows a convolution in a <see cref="Sequential"/> is
/// folded into it, and every <see cref="Conv2d"/> gets a <see cref="ConvolutionFakeQuantizer"/>. The network then
/// computes what an int8 runtime computes (up to rounding of the accumulators), and exports (through the ONNX
/// exporter) as a QDQ graph that ONNX Runtime runs with int8 kernels.
/// </summary>
/// <example><code>
/// var quantization = NetworkQuantization.Prepare(network);          // folds batch norms, calibration mode
/// foreach (var images in calibrationBatches) network.Forward(images).Dispose();
/// quantization.Mode = QuantizationMode.Quantize;                      // post-training static quantisation
/// // or: quantization.Mode = QuantizationMode.Train; then train as usual (quantisation-aware training)
/// </code></example>
public sealed class NetworkQuantization
{
    private readonly List<(Conv2d Conv, ConvolutionFakeQuantizer Quantizer)> _convolutions = [];

    private NetworkQuantization(Module network) => Network = network;

    /// <summary>The network.</summary>
    public Module Network { get; }

    /// <summary>What the quantisers do now (set it to move from calibration to quantisation or training).</summary>
    public QuantizationMode Mode { get; set; } = QuantizationMode.Calibrate;

    /// <summary>Batch norms folded into their convolutions by <see cref="Prepare"/>.</summary>
    public int FoldedBatchNorms { get; private set; }

    /// <summary>Every quantised convolution, by name.</summary>
    public IReadOnlyList<ConvolutionFakeQuantizer> Quantizers => [.. _convolutions.Select(c => c.Quantizer)];

    /// <summary>
    /// Folds batch norms (evaluation statistics) into the convolutions before them and attaches a quantiser to every
    /// convolution, in <see cref="QuantizationMode.Calibrate"/> mode.
    /// </summary>
    /// <param name="network">The network, changed in place.</param>
    /// <param name="averagingConstant">Null: observers keep all-time extremes (calibration); a value: moving averages (training, PyTorch's 0.01).</param>
    /// <exception cref="InvalidOperationException">The network already has quantisers.</exception>
    public static NetworkQuantization Prepare(Module network, double? averagingConstant = null)
    {
        var quantization = new NetworkQuantization(network);
        foreach (var (_, module) in network.NamedModules().ToList())
        {
            if (module is Sequential sequential) quantization.FoldedBatchNorms += FoldBatchNorms(sequential);
        }
        foreach (var (name, module) in network.NamedModules())
        {
            if (module is not Conv2d conv) continue;
            if (conv.Quantizer is not null) throw new InvalidOperationException($"{name} is already quantised");
            var quantizer = new ConvolutionFakeQuantizer(quantization, name, averagingConstant);
            conv.Quantizer = quantizer;
            quantization._convolutions.Add((conv, quantizer));
        }
        return quantization;
    }

    /// <summary>Runs calibration batches (normalised images [N, 3, H, W]) through the network in evaluation mode without gradients, recording ranges.</summary>
    public void Calibrate(IEnumerable<Tensor> batches)
    {
        var previous = Mode;
        Mode = QuantizationMode.Calibrate;
        bool training = Network.Training;
        Network.Eval();
        using var noGrad = LibTorch.NoGrad();
        try
        {
            foreach (var batch in batches)
            {
                using var scope = DisposeScope.Begin();
                ((Module<Tensor, Tensor>)Network).Forward(batch);
            }
        }
        finally
        {
            Network.Train(training);
            Mode = previous == QuantizationMode.Calibrate ? QuantizationMode.Quantize : previous;
        }
    }

    /// <summary>
    /// Every observed convolution's input and output range, by name (what a saved quantised model records); a
    /// convolution the network never ran (an encoder's unused last layer) has none.
    /// </summary>
    public IReadOnlyDictionary<string, QuantizationRanges> Ranges() => _convolutions
        .Where(c => c.Quantizer.InputObserver.Min is not null && c.Quantizer.OutputObserver.Min is not null)
        .ToDictionary(
            c => c.Quantizer.Name,
            c => new QuantizationRanges((c.Quantizer.InputObserver.Min!.Value, c.Quantizer.InputObserver.Max!.Value), (c.Quantizer.OutputObserver.Min!.Value, c.Quantizer.OutputObserver.Max!.Value)),
            StringComparer.Ordinal);

    /// <summary>Sets every convolution's ranges from <paramref name="ranges"/> (a saved model's) and switches to <see cref="QuantizationMode.Quantize"/>.</summary>
    /// <exception cref="ArgumentException">A convolution has no range, or a range names no convolution.</exception>
    public void Restore(IReadOnlyDictionary<string, QuantizationRanges> ranges)
    {
        var names = _convolutions.Select(c => c.Quantizer.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = ranges.Keys.Where(k => !names.Contains(k)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"quantisation ranges for convolutions this network does not have: {string.Join(", ", unknown.Take(5))}");
        foreach (var (_, q) in _convolutions)
        {
            if (!ranges.TryGetValue(q.Name, out var r)) continue; // never observed: an unused convolution (it fails loudly if it ever runs)
            q.InputObserver.Restore(r.Input.Min, r.Input.Max);
            q.OutputObserver.Restore(r.Output.Min, r.Output.Max);
        }
        Mode = QuantizationMode.Quantize;
    }

    /// <summary>Takes the quantisers off: the network computes in float again (batch norms stay folded).</summary>
    public void Remove()
    {
        foreach (var (conv, _) in _convolutions) conv.Quantizer = null;
        _convolutions.Clear();
    }

    /// <summary>Folds each Conv2d → BatchNorm2d pair of a sequence, putting an Identity in the batch norm's place.</summary>
    private static int FoldBatchNorms(Sequential sequential)
    {
        int folded = 0;
        for (int i = 0; i + 1 < sequential.Count; i++)
        {
            if (sequential[i] is not Conv2d conv || sequential[i + 1] is not BatchNorm2d norm) continue;
            conv.FoldBatchNorm(norm);
            sequential.Replace(i + 1, new Identity()).Dispose();
            folded++;
        }
        return folded;
    }
}

/// <summary>The observed input and output ranges of one quantised convolution.</summary>
/// <param name="Input">Input (min, max).</param>
/// <param name="Output">Output (min, max).</param>
public sealed record QuantizationRanges((double Min, double Max) Input, (double Min, double Max) Output);
