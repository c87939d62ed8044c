namespace Exemplar.Training.Optim;

/// <summary>Adam's hyper-parameters, with torch.optim.Adam's defaults.</summary>
public record AdamOptions
{
    /// <summary>The default learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Decay of the first moment (β₁); groups start with it and one-cycle schedules cycle it.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Decay of the second moment (β₂).</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Added to the denominator for numerical stability.</summary>
    public double Eps { get; init; } = 1e-8;

    /// <summary>Weight decay (the default of groups that set none): L2 added to the gradient for Adam, decoupled for AdamW.</summary>
    public double WeightDecay { get; init; }

    /// <summary>AMSGrad: normalise by the largest second moment seen so far.</summary>
    public bool AmsGrad { get; init; }
}

/// <summary>AdamW's hyper-parameters: Adam's, with torch.optim.AdamW's default weight decay of 1e-2.</summary>
public sealed record AdamWOptions : AdamOptions
{
    /// <summary>Options with PyTorch's defaults.</summary>
    public AdamWOptions() => WeightDecay = 1e-2;
}
