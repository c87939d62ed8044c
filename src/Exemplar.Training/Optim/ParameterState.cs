using Exemplar.Torch;

namespace Exemplar.Training.Optim;

/// <summary>
/// What an optimizer keeps for one parameter between steps: the number of updates it received and named buffers
/// (<c>momentum_buffer</c>, <c>exp_avg</c>, <c>exp_avg_sq</c>, <c>max_exp_avg_sq</c> — PyTorch's names). The
/// optimizer owns the buffers.
/// </summary>
public sealed class ParameterState : IDisposable
{
    private readonly SortedDictionary<string, Tensor> _buffers = new(StringComparer.Ordinal);

    /// <summary>Updates applied so far (PyTorch's <c>state['step']</c>).</summary>
    public long Step { get; set; }

    /// <summary>The buffers by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Buffers => _buffers;

    /// <summary>The buffer <paramref name="name"/>, or null before the first update made it.</summary>
    public Tensor? Get(string name) => _buffers.GetValueOrDefault(name);

    /// <summary>Stores a buffer, which the state then owns (a previous one of that name is freed).</summary>
    public void Set(string name, Tensor buffer)
    {
        buffer.DetachFromScope();
        if (_buffers.TryGetValue(name, out var old) && !ReferenceEquals(old, buffer)) old.Dispose();
        _buffers[name] = buffer;
    }

    /// <summary>Frees every buffer and forgets the step count.</summary>
    public void Clear()
    {
        foreach (var b in _buffers.Values) b.Dispose();
        _buffers.Clear();
        Step = 0;
    }

    /// <inheritdoc/>
    public void Dispose() => Clear();
}
