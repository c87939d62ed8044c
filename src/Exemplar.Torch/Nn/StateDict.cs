namespace Exemplar.Torch.Nn;

/// <summary>What a state-dict load found: keys the module has but the dict lacks, keys the dict has but the module lacks, and shape mismatches.</summary>
/// <param name="Missing">Module keys absent from the dict.</param>
/// <param name="Unexpected">Dict keys the module does not have.</param>
/// <param name="ShapeMismatches">Keys present on both sides with different shapes ("name: module [..] vs dict [..]").</param>
public sealed record StateDictLoadResult(IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, IReadOnlyList<string> ShapeMismatches)
{
    /// <summary>Whether every key matched exactly.</summary>
    public bool IsExact => Missing.Count == 0 && Unexpected.Count == 0 && ShapeMismatches.Count == 0;

    /// <summary>Every problem, one per line.</summary>
    public override string ToString() => string.Join(Environment.NewLine,
        Missing.Select(k => $"missing: {k}").Concat(Unexpected.Select(k => $"unexpected: {k}")).Concat(ShapeMismatches.Select(k => $"wrong shape: {k}")));
}

/// <summary>A strict state-dict load that failed; the message lists every missing, unexpected and wrongly shaped key.</summary>
public sealed class StateDictException(string model, StateDictLoadResult result)
    : Exception($"{model}: the state dict does not match ({result.Missing.Count} missing, {result.Unexpected.Count} unexpected, {result.ShapeMismatches.Count} wrongly shaped){Environment.NewLine}{result}")
{
    /// <summary>The details.</summary>
    public StateDictLoadResult Result { get; } = result;
}

public abstract partial class Module
{
    /// <summary>
    /// Parameters and persistent buffers by dotted name. The values are the module's own tensors (do not dispose them);
    /// copy them (e.g. <see cref="Serialization.SafeTensors.Save"/>) to keep a snapshot.
    /// </summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var dict = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, p) in NamedParameters()) dict[name] = p;
        foreach (var (name, b) in NamedBuffers(persistentOnly: true)) dict[name] = b;
        return dict;
    }

    /// <summary>
    /// Copies <paramref name="state"/> into the module's tensors (converting dtype and device as needed). Strict loading
    /// requires the keys and shapes to match exactly and changes nothing when they do not; non-strict loading copies what
    /// matches and reports the rest.
    /// </summary>
    /// <exception cref="StateDictException">Strict loading found a mismatch (the message lists every problem).</exception>
    public StateDictLoadResult LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = StateDict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var mismatched = new List<string>();
        foreach (var (name, target) in own)
        {
            if (state.TryGetValue(name, out var source) && !source.Shape.SequenceEqual(target.Shape))
            {
                mismatched.Add($"{name}: module [{string.Join(", ", target.Shape)}] vs dict [{string.Join(", ", source.Shape)}]");
            }
        }
        var result = new StateDictLoadResult(missing, unexpected, mismatched);
        if (strict && !result.IsExact) throw new StateDictException(GetType().Name, result);

        using var noGrad = LibTorch.NoGrad();
        foreach (var (name, target) in own)
        {
            if (state.TryGetValue(name, out var source) && source.Shape.SequenceEqual(target.Shape))
            {
                using var _ = target.Copy_(source);
            }
        }
        return result;
    }
}
