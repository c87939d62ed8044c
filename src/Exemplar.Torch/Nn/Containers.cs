namespace Exemplar.Torch.Nn;

/// <summary>Runs its children in order; they are named "0", "1", … as in PyTorch.</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> _layers = [];

    /// <summary>Creates the sequence.</summary>
    public Sequential(params Module<Tensor, Tensor>[] layers)
    {
        foreach (var layer in layers) Append(layer);
    }

    /// <summary>Number of layers.</summary>
    public int Count => _layers.Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public Module<Tensor, Tensor> this[int index] => _layers[index];

    /// <summary>Puts <paramref name="layer"/> in place of the layer at <paramref name="index"/> (same name), returning the one it replaces, which the caller then owns.</summary>
    public Module<Tensor, Tensor> Replace(int index, Module<Tensor, Tensor> layer)
    {
        var old = _layers[index];
        ReplaceModule(index.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers[index] = layer;
        return old;
    }

    /// <summary>Adds a layer at the end, named by its position.</summary>
    public Sequential Append(Module<Tensor, Tensor> layer)
    {
        _layers.Add(RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer));
        return this;
    }

    /// <summary>
    /// Runs the layers in order, freeing each intermediate result as soon as the next layer has run (its memory
    /// returns unless a view or the autograd graph still uses it); the caller's input is never freed.
    /// </summary>
    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Begin();
        var x = input;
        foreach (var layer in _layers)
        {
            var next = layer.Forward(x);
            // Only what this call created is freed: never the input, nor a tensor a layer handed back as it is.
            if (!ReferenceEquals(next, x) && x.Scope == scope) x.Dispose();
            x = next;
        }
        return (ReferenceEquals(x, input) ? x.Alias() : x).MoveToOuterScope();
    }
}

/// <summary>An indexed list of modules (named "0", "1", …) that the owner runs as it sees fit.</summary>
/// <typeparam name="T">The module type.</typeparam>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> _items = [];

    /// <summary>Creates the list.</summary>
    public ModuleList(IEnumerable<T> items)
    {
        foreach (var item in items) Add(item);
    }

    /// <summary>Adds a module at the end.</summary>
    public void Add(T item) => _items.Add(RegisterModule(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), item));

    /// <inheritdoc/>
    public T this[int index] => _items[index];

    /// <inheritdoc/>
    public int Count => _items.Count;

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Returns its input (as a new handle).</summary>
public sealed class Identity : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Alias();
}
