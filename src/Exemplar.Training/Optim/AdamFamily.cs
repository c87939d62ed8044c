using Exemplar.Torch;

namespace Exemplar.Training.Optim;

/// <summary>
/// The update Adam and AdamW share (PyTorch 1.13's <c>_single_tensor_adam</c> / <c>_single_tensor_adamw</c>); they
/// differ only in where the weight decay goes.
/// </summary>
public abstract class AdamFamily : Optimizer
{
    /// <summary>The running mean of gradients (PyTorch's name).</summary>
    public const string ExpAvg = "exp_avg";

    /// <summary>The running mean of squared gradients.</summary>
    public const string ExpAvgSq = "exp_avg_sq";

    /// <summary>AMSGrad's running maximum of <see cref="ExpAvgSq"/>.</summary>
    public const string MaxExpAvgSq = "max_exp_avg_sq";

    private readonly AdamOptions _options;
    private readonly bool _decoupledDecay;

    /// <summary>Checks the options and resolves the groups.</summary>
    private protected AdamFamily(IEnumerable<ParameterGroup> groups, AdamOptions options, bool decoupledDecay)
        : base(groups, options.LearningRate, options.WeightDecay, options.Beta1)
    {
        if (options.Eps < 0) throw new ArgumentOutOfRangeException(nameof(options), options.Eps, "eps is not negative");
        if (options.Beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(options), options.Beta1, "β₁ is in [0, 1)");
        if (options.Beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(options), options.Beta2, "β₂ is in [0, 1)");
        _options = options;
        _decoupledDecay = decoupledDecay;
    }

    /// <inheritdoc/>
    protected override object Options => _options;

    /// <inheritdoc/>
    protected override void Update(OptimizerGroup group, Tensor parameter, Tensor grad, ParameterState state)
    {
        double beta1 = group.Momentum, beta2 = _options.Beta2, lr = group.LearningRate;
        var expAvg = state.Get(ExpAvg) ?? Keep(state, ExpAvg, Tensor.ZerosLike(parameter));
        var expAvgSq = state.Get(ExpAvgSq) ?? Keep(state, ExpAvgSq, Tensor.ZerosLike(parameter));
        state.Step++;

        if (_decoupledDecay) parameter.Mul_(1 - lr * group.WeightDecay);
        else if (group.WeightDecay != 0) grad = grad.Add(parameter, group.WeightDecay);

        expAvg.Mul_(beta1);
        expAvg.Add_(grad, 1 - beta1);
        expAvgSq.Mul_(beta2);
        InPlace.AddProduct(expAvgSq, grad, grad, 1 - beta2);

        // PyTorch keeps the step as a float32 tensor and reads it back as a Python float: the same double here.
        double step = (float)state.Step;
        double biasCorrection1 = 1 - Math.Pow(beta1, step);
        double biasCorrection2 = 1 - Math.Pow(beta2, step);
        double stepSize = lr / biasCorrection1;
        double biasCorrection2Sqrt = Math.Sqrt(biasCorrection2);

        var second = expAvgSq;
        if (_options.AmsGrad)
        {
            second = state.Get(MaxExpAvgSq) ?? Keep(state, MaxExpAvgSq, Tensor.ZerosLike(parameter));
            InPlace.KeepMaximum(second, expAvgSq);
        }
        using var root = second.Sqrt();
        using var denominator = root / biasCorrection2Sqrt;
        InPlace.AddScalar(denominator, _options.Eps);
        InPlace.AddQuotient(parameter, expAvg, denominator, -stepSize);
    }

    private static Tensor Keep(ParameterState state, string name, Tensor buffer)
    {
        state.Set(name, buffer);
        return buffer;
    }
}
