namespace Exemplar.Torch.Serialization.Pickle;

/// <summary>A class or function named in a pickle (<c>module.name</c>) that the reader does not execute.</summary>
public sealed record PickleGlobal(string Module, string Name)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Module}.{Name}";
}

/// <summary>
/// An object of a class the reader does not know (for example <c>argparse.Namespace</c> in a training checkpoint):
/// its class, constructor arguments and state are kept as data, never executed.
/// </summary>
public sealed class PickleObject(PickleGlobal type, object?[] args)
{
    /// <summary>The object's class.</summary>
    public PickleGlobal Type { get; } = type;

    /// <summary>The arguments it was reconstructed with.</summary>
    public object?[] Args { get; } = args;

    /// <summary>The state set by BUILD (often a dict of attributes), or null.</summary>
    public object? State { get; internal set; }

    /// <inheritdoc/>
    public override string ToString() => $"{Type}(…)";
}

/// <summary>A Python dict or <c>OrderedDict</c>, in insertion order, with any attributes set on it (e.g. a state dict's <c>_metadata</c>).</summary>
public sealed class PickleDict : OrderedDictionary<object, object?>
{
    /// <summary>Attributes set on the dict object itself (BUILD state), or null.</summary>
    public object? Attributes { get; internal set; }
}
