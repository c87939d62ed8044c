using Exemplar.Torch;

namespace Exemplar.Training.Trainer;

/// <summary>Gradient-norm clipping, as <c>torch.nn.utils.clip_grad_norm_</c> (L2).</summary>
public static class GradientClipping
{
    /// <summary>
    /// The total L2 norm of the parameters' gradients (the norm of their norms); when it exceeds
    /// <paramref name="maxNorm"/> every gradient is scaled in place by maxNorm / (norm + 1e-6). Parameters without a
    /// gradient are skipped.
    /// </summary>
    /// <returns>The total norm before clipping (float64 of the float32 value, as PyTorch returns it).</returns>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToArray();
        if (grads.Length == 0) return 0;
        var total = Tensor.Stack([.. grads.Select(g => g.Norm())]).Norm();
        var coefficient = (maxNorm / (total + 1e-6)).Clamp(max: 1.0);
        foreach (var g in grads) Optim.InPlace.Multiply(g, coefficient);
        return total.Item<float>();
    }

    /// <summary>The total L2 norm of the gradients, without changing them.</summary>
    public static double GradNorm(IEnumerable<Tensor> parameters)
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToArray();
        return grads.Length == 0 ? 0 : Tensor.Stack([.. grads.Select(g => g.Norm())]).Norm().Item<float>();
    }
}
