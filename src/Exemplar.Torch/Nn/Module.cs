namespace Exemplar.Torch.Nn;

/// <summary>
/// A neural-network building block with named parameters, buffers and child modules, as PyTorch's <c>nn.Module</c>.
/// Registered tensors belong to the module (never to a <see cref="DisposeScope"/>) and are freed by
/// <see cref="Dispose"/>, which also disposes the children. Names follow PyTorch's, so state dicts interoperate.
/// </summary>
public abstract partial class Module : IDisposable
{
    private readonly List<(string Name, Tensor Value)> _parameters = [];
    private readonly List<(string Name, Tensor Value, bool Persistent)> _buffers = [];
    private readonly List<(string Name, Module Value)> _children = [];
    private bool _disposed;

    /// <summary>Whether the module is in training mode (dropout active, batch norm using batch statistics).</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Registers a trainable parameter (requires_grad unless <paramref name="requiresGrad"/> is false) and returns it.</summary>
    protected Tensor RegisterParameter(string name, Tensor value, bool requiresGrad = true)
    {
        CheckName(name);
        value.DetachFromScope();
        if (requiresGrad && value.DType.IsFloatingPoint()) value.RequiresGrad = true;
        _parameters.Add((name, value));
        return value;
    }

    /// <summary>Registers a buffer (state that is not trained, e.g. running statistics) and returns it.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="value">The tensor; the module owns it from now on.</param>
    /// <param name="persistent">Whether it is part of the state dict.</param>
    protected Tensor RegisterBuffer(string name, Tensor value, bool persistent = true)
    {
        CheckName(name);
        value.DetachFromScope();
        _buffers.Add((name, value, persistent));
        return value;
    }

    /// <summary>Registers a child module and returns it.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        _children.Add((name, module));
        return module;
    }

    /// <summary>Puts <paramref name="module"/> in place of the child called <paramref name="name"/> (the caller owns the old one).</summary>
    protected void ReplaceModule(string name, Module module)
    {
        int index = _children.FindIndex(c => c.Name == name);
        if (index < 0) throw new ArgumentException($"{GetType().Name} has no child named '{name}'", nameof(name));
        _children[index] = (name, module);
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.')) throw new ArgumentException($"'{name}' is not a valid member name", nameof(name));
        if (_parameters.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name) || _children.Any(c => c.Name == name))
        {
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'", nameof(name));
        }
    }

    /// <summary>Direct children with their names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children.Select(c => (c.Name, c.Value));

    /// <summary>This module and every descendant, with dotted names ("" for this one).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, child) in _children)
        {
            foreach (var m in child.NamedModules(Join(prefix, name))) yield return m;
        }
    }

    /// <summary>Every parameter with its dotted name (<c>blocks.0.attn.qkv.weight</c>).</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters(bool recurse = true)
    {
        foreach (var (prefix, module) in recurse ? NamedModules() : [("", this)])
        {
            foreach (var (name, value) in module._parameters) yield return (Join(prefix, name), value);
        }
    }

    /// <summary>Every buffer with its dotted name.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(bool recurse = true, bool persistentOnly = false)
    {
        foreach (var (prefix, module) in recurse ? NamedModules() : [("", this)])
        {
            foreach (var (name, value, persistent) in module._buffers)
            {
                if (persistent || !persistentOnly) yield return (Join(prefix, name), value);
            }
        }
    }

    /// <summary>The parameters (the module's own tensors: do not dispose them).</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Number of parameter elements (only those that require gradients when <paramref name="trainableOnly"/>).</summary>
    public long ParameterCount(bool trainableOnly = false) =>
        Parameters().Where(p => !trainableOnly || p.RequiresGrad).Sum(p => p.NumEl);

    /// <summary>Sets training mode here and in every descendant. Returns this module.</summary>
    public Module Train(bool training = true)
    {
        foreach (var (_, m) in NamedModules()) m.Training = training;
        return this;
    }

    /// <summary>Sets evaluation mode (<c>Train(false)</c>). Returns this module.</summary>
    public Module Eval() => Train(false);

    /// <summary>Stops gradients for every parameter (a frozen encoder). Returns this module.</summary>
    public Module Freeze()
    {
        foreach (var p in Parameters()) p.RequiresGrad = false;
        return this;
    }

    /// <summary>Makes every floating-point parameter trainable again. Returns this module.</summary>
    public Module Unfreeze()
    {
        foreach (var p in Parameters()) if (p.DType.IsFloatingPoint()) p.RequiresGrad = true;
        return this;
    }

    /// <summary>Moves every parameter and buffer to <paramref name="device"/>, in place (references stay valid). Returns this module.</summary>
    public Module To(Device device) => Apply(t => t.To(device), floatingOnly: false);

    /// <summary>Converts floating-point parameters and buffers to <paramref name="dtype"/>, in place. Returns this module.</summary>
    public Module To(DType dtype)
    {
        if (!dtype.IsFloatingPoint()) throw new ArgumentException($"modules convert to floating-point types only, not {dtype}", nameof(dtype));
        return Apply(t => t.To(dtype), floatingOnly: true);
    }

    private Module Apply(Func<Tensor, Tensor> convert, bool floatingOnly)
    {
        using var noGrad = LibTorch.NoGrad();
        foreach (var t in Parameters().Concat(NamedBuffers().Select(b => b.Buffer)))
        {
            if (floatingOnly && !t.DType.IsFloatingPoint()) continue;
            using var converted = convert(t);
            // set_data swaps the data under the same tensor, as PyTorch's module._apply does: callers' references,
            // requires_grad and optimizer state keyed on the tensor all stay valid.
            Ops.Invoke(SetData, t, converted);
        }
        return this;
    }

    private static readonly Op SetData = Op.Get("aten::set_data");

    /// <summary>Frees every parameter and buffer, and disposes the children.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var (_, p) in _parameters) p.Dispose();
        foreach (var (_, b, _) in _buffers) b.Dispose();
        foreach (var (_, c) in _children) c.Dispose();
        GC.SuppressFinalize(this);
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";
}

/// <summary>A module with a typed forward pass.</summary>
/// <typeparam name="TInput">What it takes (usually a <see cref="Tensor"/>).</typeparam>
/// <typeparam name="TOutput">What it returns.</typeparam>
public abstract class Module<TInput, TOutput> : Module
{
    /// <summary>Computes the output; temporaries are freed before returning, the result belongs to the caller's scope.</summary>
    public abstract TOutput Forward(TInput input);
}
