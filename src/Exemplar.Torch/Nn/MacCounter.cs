namespace Exemplar.Torch.Nn;

/// <summary>
/// Counts multiply-accumulates of the convolutions, linear layers and matrix products (attention included) run on this
/// thread while it is open — the model-complexity number (GMACs) that model zoos report. Element-wise work,
/// normalisation and pooling are not counted, as is customary.
/// </summary>
/// <example><code>
/// using (var counter = MacCounter.Begin()) { using var y = model.Forward(x); gmacs = counter.Macs / 1e9; }
/// </code></example>
public sealed class MacCounter : IDisposable
{
    [ThreadStatic] private static MacCounter? _current;
    private readonly MacCounter? _outer;

    private MacCounter(MacCounter? outer) => _outer = outer;

    /// <summary>The innermost open counter of this thread, or null (then nothing is counted).</summary>
    public static MacCounter? Current => _current;

    /// <summary>Starts counting on this thread.</summary>
    public static MacCounter Begin() => _current = new MacCounter(_current);

    /// <summary>MACs of convolutions (transposed ones included).</summary>
    public long ConvolutionMacs { get; private set; }

    /// <summary>MACs of linear layers.</summary>
    public long LinearMacs { get; private set; }

    /// <summary>MACs of matrix products (matmul, bmm; attention's q·kᵀ and attention·v).</summary>
    public long MatmulMacs { get; private set; }

    /// <summary>All counted MACs.</summary>
    public long Macs => ConvolutionMacs + LinearMacs + MatmulMacs;

    /// <summary>Stops counting (outer counters see the counts too).</summary>
    public void Dispose()
    {
        if (_current == this) _current = _outer;
    }

    private void Propagate(Action<MacCounter> add)
    {
        for (var c = this; c is not null; c = c._outer) add(c);
    }

    /// <summary>input [..., in] × weight [out, in]: rows · in · out.</summary>
    internal void AddLinear(Tensor input, Tensor weight)
    {
        long macs = input.NumEl * weight.Size(0);
        Propagate(c => c.LinearMacs += macs);
    }

    /// <summary>A convolution: output elements × (in/groups · kH · kW) = output elements × weight[1..] product.</summary>
    internal void AddConvolution(Tensor output, Tensor weight)
    {
        var w = weight.Shape;
        long macs = output.NumEl * w[1] * w[2] * w[3];
        Propagate(c => c.ConvolutionMacs += macs);
    }

    /// <summary>A transposed convolution: input elements × (out/groups · kH · kW).</summary>
    internal void AddTransposedConvolution(Tensor input, Tensor weight)
    {
        var w = weight.Shape;
        long macs = input.NumEl * w[1] * w[2] * w[3];
        Propagate(c => c.ConvolutionMacs += macs);
    }

    /// <summary>A matrix product: output elements × the contracted size.</summary>
    internal void AddMatmul(Tensor output, long contracted)
    {
        long macs = output.NumEl * contracted;
        Propagate(c => c.MatmulMacs += macs);
    }
}
