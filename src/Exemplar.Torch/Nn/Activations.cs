namespace Exemplar.Torch.Nn;

/// <summary>The element-wise activations available as modules.</summary>
public enum ActivationKind
{
    /// <summary>max(x, 0).</summary>
    Relu,
    /// <summary>min(max(x, 0), 6).</summary>
    Relu6,
    /// <summary>Exact (erf) GELU.</summary>
    Gelu,
    /// <summary>GELU with the tanh approximation.</summary>
    GeluTanh,
    /// <summary>x · sigmoid(x).</summary>
    Silu,
    /// <summary>x · relu6(x + 3) / 6.</summary>
    Hardswish,
    /// <summary>Logistic sigmoid.</summary>
    Sigmoid,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
}

/// <summary>An activation function as a module (no parameters).</summary>
public sealed class Activation(ActivationKind kind) : Module<Tensor, Tensor>
{
    /// <summary>Which function.</summary>
    public ActivationKind Kind { get; } = kind;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Apply(Kind, input);

    /// <summary>Applies <paramref name="kind"/> to <paramref name="x"/>.</summary>
    public static Tensor Apply(ActivationKind kind, Tensor x) => kind switch
    {
        ActivationKind.Relu => Functional.Relu(x),
        ActivationKind.Relu6 => Functional.Relu6(x),
        ActivationKind.Gelu => Functional.Gelu(x),
        ActivationKind.GeluTanh => Functional.Gelu(x, tanhApproximation: true),
        ActivationKind.Silu => Functional.Silu(x),
        ActivationKind.Hardswish => Functional.Hardswish(x),
        ActivationKind.Sigmoid => Functional.Sigmoid(x),
        _ => Functional.Tanh(x),
    };
}
