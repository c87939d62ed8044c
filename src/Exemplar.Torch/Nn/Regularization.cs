namespace Exemplar.Torch.Nn;

/// <summary>Zeroes elements with probability p in training mode (scaling the rest by 1/(1-p)); identity in evaluation.</summary>
public sealed class Dropout(double p = 0.5) : Module<Tensor, Tensor>
{
    /// <summary>Drop probability.</summary>
    public double P { get; } = p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "must be in [0, 1]");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Training && P > 0 ? Functional.Dropout(input, P, true) : input.Alias();
}

/// <summary>
/// Stochastic depth (timm's <c>DropPath</c>): in training mode drops a whole sample's residual branch with probability p
/// and scales kept samples by 1/(1-p); identity in evaluation.
/// </summary>
public sealed class DropPath(double p = 0) : Module<Tensor, Tensor>
{
    private static readonly Op Bernoulli = Op.Get("aten::bernoulli", "p");

    /// <summary>Drop probability per sample.</summary>
    public double P { get; } = p is >= 0 and < 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "must be in [0, 1)");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (!Training || P == 0) return input.Alias();
        using var scope = DisposeScope.Begin();
        var shape = new long[input.Dim];
        Array.Fill(shape, 1L);
        shape[0] = input.Size(0);
        var keep = Ops.Call(Bernoulli, Tensor.Empty(shape, input.DType, input.Device), 1 - P);
        return (input * keep / (1 - P)).MoveToOuterScope();
    }
}
