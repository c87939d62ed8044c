namespace Exemplar.Torch;

/// <summary>
/// Frees, deterministically, every tensor created on this thread while the scope is the innermost one, except those
/// moved out with <see cref="Tensor.MoveToOuterScope"/> or <see cref="Tensor.DetachFromScope"/>. Scopes nest.
/// </summary>
/// <example><code>
/// Tensor Forward(Tensor x)
/// {
///     using var scope = DisposeScope.Begin();
///     var h = Functional.Relu(Functional.Conv2d(x, weight));   // temporaries die with the scope
///     return (h + x).MoveToOuterScope();                      // the result survives it
/// }
/// </code></example>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? _current;
    private readonly List<Tensor> _tensors = [];
    private bool _disposed;

    private DisposeScope(DisposeScope? outer) => Outer = outer;

    /// <summary>The innermost open scope of this thread, or null.</summary>
    public static DisposeScope? Current => _current;

    /// <summary>The scope that was current when this one began.</summary>
    public DisposeScope? Outer { get; }

    /// <summary>Number of tensors this scope will free.</summary>
    public int Count
    {
        get
        {
            int n = 0;
            foreach (var t in _tensors) if (t.Scope == this && !t.IsDisposed) n++;
            return n;
        }
    }

    /// <summary>Opens a scope that becomes the current one on this thread.</summary>
    public static DisposeScope Begin() => _current = new DisposeScope(_current);

    internal void Add(Tensor tensor) => _tensors.Add(tensor);

    /// <summary>Frees every tensor still owned by this scope and makes the outer scope current again.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _tensors)
        {
            if (t.Scope == this) t.Dispose();
        }
        _tensors.Clear();
        if (_current == this)
        {
            // Scopes disposed out of order: never make an already disposed scope current again.
            var outer = Outer;
            while (outer is { _disposed: true }) outer = outer.Outer;
            _current = outer;
        }
    }
}
