using Exemplar.Torch;

namespace Exemplar.Training.Optim;

/// <summary>Ways of splitting a model's parameters into groups.</summary>
public static class ParameterGroups
{
    /// <summary>
    /// Two groups, as timm's <c>param_groups_weight_decay</c> and OTX do: matrices and convolution kernels decay with
    /// <paramref name="weightDecay"/>; 1-D parameters (norm scales and shifts, biases) and names ending in
    /// <c>.bias</c> do not, since decaying them only shrinks the normalisation towards zero. Parameters that do not
    /// require gradients (a frozen encoder) are left out. An empty group is left out too.
    /// </summary>
    /// <param name="namedParameters">Usually <c>module.NamedParameters()</c>.</param>
    /// <param name="weightDecay">The decay of the first group.</param>
    /// <param name="noDecayNames">More names to keep from decaying (position embeddings, tokens).</param>
    public static IReadOnlyList<ParameterGroup> SplitWeightDecay(
        IEnumerable<(string Name, Tensor Parameter)> namedParameters, double weightDecay, IReadOnlySet<string>? noDecayNames = null)
    {
        var decay = new List<Tensor>();
        var noDecay = new List<Tensor>();
        foreach (var (name, parameter) in namedParameters)
        {
            if (!parameter.RequiresGrad) continue;
            bool exempt = parameter.Dim <= 1 || name.EndsWith(".bias", StringComparison.Ordinal) || name == "bias"
                || (noDecayNames?.Contains(name) ?? false);
            (exempt ? noDecay : decay).Add(parameter);
        }
        var groups = new List<ParameterGroup>(2);
        if (decay.Count > 0) groups.Add(new ParameterGroup(decay, WeightDecay: weightDecay));
        if (noDecay.Count > 0) groups.Add(new ParameterGroup(noDecay, WeightDecay: 0));
        return groups;
    }
}
