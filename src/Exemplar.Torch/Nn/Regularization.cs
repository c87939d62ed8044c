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
/// Channel dropout (PyTorch's <c>Dropout2d</c>): in training mode zeroes whole channels of [N, C, H, W] with probability
/// p, per sample, and scales the kept ones by 1/(1-p); identity in evaluation. Neighbouring pixels of a feature map are
/// correlated, so dropping single elements regularises little.
/// </summary>
public sealed class Dropout2d(double p = 0.5) : Module<Tensor, Tensor>
{
    private static readonly Op Bernoulli = Op.Get("aten::bernoulli", "p");

    /// <summary>Drop probability per channel.</summary>
    public double P { get; } = p is >= 0 and < 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "must be in [0, 1)");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (!Training || P == 0) return input.Alias();
        if (input.Dim != 4) throw new ArgumentException($"Dropout2d takes [N, C, H, W], got [{string.Join(", ", input.Shape)}]", nameof(input));
        using var scope = DisposeScope.Begin();
        var keep = Ops.Call(Bernoulli, Tensor.Empty([input.Size(0), input.Size(1), 1, 1], input.DType, input.Device), 1 - P);
        return (input * keep / (1 - P)).MoveToOuterScope();
    }
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
