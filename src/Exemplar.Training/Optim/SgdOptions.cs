namespace Exemplar.Training.Optim;

/// <summary>Stochastic gradient descent's hyper-parameters, with torch.optim.SGD's defaults.</summary>
public sealed record SgdOptions
{
    /// <summary>The default learning rate (PyTorch requires one; groups may override it).</summary>
    public required double LearningRate { get; init; }

    /// <summary>Momentum factor; 0 keeps no momentum buffer.</summary>
    public double Momentum { get; init; }

    /// <summary>Dampening of the gradient added to the momentum buffer.</summary>
    public double Dampening { get; init; }

    /// <summary>L2 penalty added to the gradient (the default of groups that set none).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Nesterov momentum (needs momentum &gt; 0 and no dampening).</summary>
    public bool Nesterov { get; init; }
}
