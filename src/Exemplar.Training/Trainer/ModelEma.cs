using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Training.Trainer;

/// <summary>
/// An exponential moving average of a model's state (timm's ModelEmaV2): after each optimizer step every
/// floating-point parameter and buffer becomes ema = decay·ema + (1 − decay)·value; integer buffers (batch norm's
/// counters) are copied. The average lives in its own tensors; <see cref="SwapInto"/> puts it into the model for
/// validation and back.
/// </summary>
public sealed class ModelEma : IDisposable
{
    private readonly Module _model;
    private readonly (string Name, Tensor Live, Tensor Average)[] _entries;

    /// <summary>Starts the average at the model's current state.</summary>
    public ModelEma(Module model, double decay)
    {
        if (!(decay is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "an EMA decay is in [0, 1)");
        _model = model;
        Decay = decay;
        using var noGrad = LibTorch.NoGrad();
        using var scope = DisposeScope.Begin();
        _entries = [.. State(model).Select(e => (e.Name, e.Tensor, e.Tensor.Clone().DetachFromScope()))];
    }

    /// <summary>The decay.</summary>
    public double Decay { get; }

    /// <summary>The averaged tensors by state-dict name (the same names as the model's state dict).</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict() => _entries.ToDictionary(e => e.Name, e => e.Average, StringComparer.Ordinal);

    /// <summary>Moves the average one step towards the model's current state.</summary>
    public void Update()
    {
        using var noGrad = LibTorch.NoGrad();
        foreach (var (_, live, average) in _entries)
        {
            using var scope = DisposeScope.Begin();
            // timm's ModelEmaV2 rounding: ema.copy_(ema · decay + (1 − decay) · value).
            if (live.DType.IsFloatingPoint()) average.Copy_(average * Decay + live * (1 - Decay));
            else average.Copy_(live);
        }
    }

    /// <summary>Replaces the average with saved tensors (a checkpoint's), which must match in names, shapes and dtypes.</summary>
    /// <exception cref="ArgumentException">A tensor is missing or does not fit.</exception>
    public void Load(IReadOnlyDictionary<string, Tensor> state)
    {
        foreach (var (name, _, average) in _entries)
        {
            if (!state.TryGetValue(name, out var saved)) throw new ArgumentException($"the EMA state has no '{name}'", nameof(state));
            if (!saved.Shape.SequenceEqual(average.Shape) || saved.DType != average.DType)
                throw new ArgumentException($"the EMA state's '{name}' is {saved.DType} [{string.Join(", ", saved.Shape)}], the model's {average.DType} [{string.Join(", ", average.Shape)}]", nameof(state));
        }
        using var noGrad = LibTorch.NoGrad();
        foreach (var (name, _, average) in _entries) average.Copy_(state[name]).Dispose();
    }

    /// <summary>Exchanges the model's values with the average until the returned scope is disposed (for validating the averaged weights).</summary>
    public IDisposable SwapInto()
    {
        Swap();
        return new SwapBack(this);
    }

    private void Swap()
    {
        using var noGrad = LibTorch.NoGrad();
        foreach (var (_, live, average) in _entries)
        {
            using var held = live.Clone();
            live.Copy_(average).Dispose();
            average.Copy_(held).Dispose();
        }
    }

    private static IEnumerable<(string Name, Tensor Tensor)> State(Module model) =>
        model.NamedParameters().Concat(model.NamedBuffers(persistentOnly: true));

    /// <summary>Frees the averaged tensors (not the model).</summary>
    public void Dispose()
    {
        foreach (var (_, _, average) in _entries) average.Dispose();
    }

    private sealed class SwapBack(ModelEma ema) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            ema.Swap();
        }
    }
}
