namespace Exemplar.Torch.Tracing;

/// <summary>
/// Records every operator call that passes through <see cref="Ops"/> on this thread while it is active, the way
/// <c>torch.jit.trace</c> does: the function runs once, eagerly, on real inputs, and each call that reads a traced
/// value becomes a <see cref="TracedCall"/> whose outputs are traced values too. Tensors the function reads that are
/// not traced (weights, buffers, tensors it creates from constants) become <see cref="Constants"/>, captured when
/// first read; calls whose tensor arguments are all constants are folded (not recorded). Shapes read with
/// <see cref="Tensor.Shape"/> are baked in as the numbers they were; reading a traced value's elements
/// (<see cref="Tensor.ToArray{T}"/>, <see cref="Tensor.Item{T}"/>) is data-dependent control flow and throws.
/// </summary>
/// <example><code>
/// using var trace = OpTrace.Start(x);          // x gets value id 0
/// using var y = model.Forward(x);
/// trace.Stop();
/// int output = trace.ValueOf(y);               // the graph output's value id
/// </code></example>
public sealed class OpTrace : IDisposable
{
    [ThreadStatic] private static OpTrace? _current;

    private static readonly HashSet<string> ViewOps =
    [
        "aten::slice", "aten::select", "aten::view", "aten::reshape", "aten::permute", "aten::transpose", "aten::expand",
        "aten::unsqueeze", "aten::squeeze", "aten::narrow", "aten::as_strided", "aten::unflatten", "aten::flatten",
        "aten::t", "aten::alias", "aten::detach", "aten::split", "aten::split_with_sizes", "aten::chunk", "aten::unfold",
        "aten::diagonal", "aten::movedim", "aten::view_as", "aten::unbind",
        "aten::contiguous", "aten::to",                                           // return the input itself when nothing changes
    ];

    private readonly Dictionary<Tensor, int> _values = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<int, Tensor> _constants = [];
    private readonly Dictionary<int, TracedValueInfo> _infos = [];
    private readonly HashSet<int> _views = [];
    private readonly HashSet<int> _shared = [];
    private readonly List<TracedCall> _calls = [];
    private readonly OpTrace? _previous;
    private int _nextValue;
    private bool _suspended;

    private OpTrace(Tensor[] inputs)
    {
        foreach (var input in inputs)
        {
            if (_values.ContainsKey(input)) throw new ArgumentException("the same tensor is given twice as a trace input");
            int id = NewValue(input);
            _values[input] = id;
        }
        _previous = _current;
        _current = this;
    }

    /// <summary>Whether a trace is recording on this thread (code that reads tensor values, such as range observers, must not then).</summary>
    public static bool IsRecording => Current is not null;

    /// <summary>The trace recording on this thread, or null.</summary>
    internal static OpTrace? Current => _current is { _suspended: false, IsStopped: false } t ? t : null;

    /// <summary>Starts recording; <paramref name="inputs"/> get value ids 0, 1, … in order.</summary>
    public static OpTrace Start(params Tensor[] inputs) => new(inputs);

    /// <summary>The calls, in the order they ran.</summary>
    public IReadOnlyList<TracedCall> Calls => _calls;

    /// <summary>Tensors read but not computed from the inputs, by value id (owned by the trace).</summary>
    public IReadOnlyDictionary<int, Tensor> Constants => _constants;

    /// <summary>Whether recording has stopped.</summary>
    public bool IsStopped { get; private set; }

    /// <summary>Shape and dtype of a value (inputs, call outputs and constants).</summary>
    public TracedValueInfo Info(int value) => _infos[value];

    /// <summary>
    /// The value id of <paramref name="tensor"/>: an input, a call's output, or a constant already read. A tensor the
    /// traced function never computed nor read (e.g. returned unchanged from outside) becomes a constant now.
    /// </summary>
    public int ValueOf(Tensor tensor) => _values.TryGetValue(tensor, out int id) ? id : CaptureConstant(tensor);

    /// <summary>The value id of <paramref name="tensor"/> if the trace has seen it (as input, output or constant).</summary>
    public bool TryGetValue(Tensor tensor, out int value) => _values.TryGetValue(tensor, out value);

    /// <summary>Stops recording (idempotent); the calls and constants stay readable until disposed.</summary>
    public void Stop()
    {
        if (IsStopped) return;
        IsStopped = true;
        if (ReferenceEquals(_current, this)) _current = _previous;
    }

    /// <summary>Stops and frees the captured constants.</summary>
    public void Dispose()
    {
        Stop();
        foreach (var c in _constants.Values) c.Dispose();
        _constants.Clear();
    }

    /// <summary>
    /// Called before <paramref name="op"/> runs. An in-place call on a tensor that is not traced: when a traced value
    /// takes part, the tensor's value before the call is captured now (it is the call's input); either way every
    /// constant is read again at its next use, since the write may reach it through shared storage.
    /// </summary>
    internal void BeforeCall(Op op, ReadOnlySpan<OpArg> args)
    {
        if (!IsInPlace(op) || args.Length == 0 || args[0].Kind != OpArgKind.Tensor) return;
        var self = (Tensor)args[0].Ref!;
        if (IsTraced(self)) return;
        foreach (var stale in _values.Where(kv => _constants.ContainsKey(kv.Value)).Select(kv => kv.Key).ToList()) _values.Remove(stale);
        if (TracesAny(args)) CaptureConstant(self);
    }

    /// <summary>Called after <paramref name="op"/> ran with <paramref name="outputs"/> (as <see cref="Ops.Invoke(Op, ReadOnlySpan{OpArg})"/> returns them).</summary>
    internal void AfterCall(Op op, ReadOnlySpan<OpArg> args, object?[] outputs)
    {
        if (!TracesAny(args) && !AlwaysRecorded(op)) return;                                    // folded: outputs are constants
        var tracedArgs = new TracedArg[args.Length];
        for (int k = 0; k < args.Length; k++) tracedArgs[k] = Convert(op, args[k]);
        bool inPlace = IsInPlace(op);
        if (inPlace && tracedArgs[0].Kind == TracedKind.Tensor && _views.Contains(tracedArgs[0].Value))
        {
            throw new TraceException($"{op} writes into a view of a traced tensor, which a graph cannot express; write the out-of-place form (e.g. torch.where or cat) in the traced function");
        }
        if (inPlace && tracedArgs[0].Kind == TracedKind.Tensor && _shared.Contains(tracedArgs[0].Value))
        {
            throw new TraceException($"{op} writes into a traced tensor that has views or aliases, which would see the write too; a graph cannot express that: write the out-of-place form in the traced function");
        }
        var tracedOutputs = new TracedOutput[outputs.Length];
        for (int k = 0; k < outputs.Length; k++)
        {
            tracedOutputs[k] = outputs[k] switch
            {
                Tensor t => new TracedOutput(TracedKind.Tensor, [Define(t, op, tracedArgs)]),
                Tensor?[] ts => new TracedOutput(TracedKind.TensorList, [.. ts.Select(t => t is null ? -1 : Define(t, op, tracedArgs))]),
                long i => new TracedOutput(TracedKind.Int, [], i),
                double d => new TracedOutput(TracedKind.Double, [], d),
                bool b => new TracedOutput(TracedKind.Bool, [], b ? 1 : 0),
                _ => new TracedOutput(TracedKind.None, []),
            };
        }
        if (inPlace && tracedArgs[0].Kind == TracedKind.Tensor && tracedOutputs.Length > 0 && tracedOutputs[0].Kind == TracedKind.Tensor)
        {
            _values[(Tensor)args[0].Ref!] = tracedOutputs[0].Values[0];                       // self now holds the new value
        }
        _calls.Add(new TracedCall(op, tracedArgs, tracedOutputs));
    }

    /// <summary>Records that <paramref name="alias"/> is a second handle to <paramref name="source"/>'s value.</summary>
    internal void RecordAlias(Tensor source, Tensor alias)
    {
        if (_values.TryGetValue(source, out int id) && !_constants.ContainsKey(id))
        {
            _values[alias] = id;
            _shared.Add(id);
        }
    }

    /// <summary>Throws when the elements of a traced value are read (the graph would bake in this run's data).</summary>
    internal void CheckRead(Tensor tensor)
    {
        if (IsTraced(tensor))
        {
            throw new TraceException("the traced function reads the values of a traced tensor (Item, ToArray, CopyTo): data-dependent control flow cannot be exported; compute it with tensor operations instead");
        }
    }

    private bool IsTraced(Tensor t) => _values.TryGetValue(t, out int id) && !_constants.ContainsKey(id);

    /// <summary>Whether <paramref name="t"/> is a value this trace computes (its elements are not to be read).</summary>
    internal bool Records(Tensor t) => IsTraced(t);

    /// <summary>Whether a tensor the trace is recording is among the arguments.</summary>
    private bool TracesAny(ReadOnlySpan<OpArg> args)
    {
        foreach (var a in args)
        {
            if (a.Kind == OpArgKind.Tensor && IsTraced((Tensor)a.Ref!)) return true;
            if (a.Kind == OpArgKind.TensorList && ((Tensor?[])a.Ref!).Any(t => t is not null && IsTraced(t))) return true;
        }
        return false;
    }

    /// <summary>
    /// Fake quantisation of a constant (a weight) is recorded rather than folded: the exported graph must say that the
    /// weight is quantised (QuantizeLinear → DequantizeLinear) for a runtime to run the layer in int8.
    /// </summary>
    private static bool AlwaysRecorded(Op op) => op.Name is "aten::fake_quantize_per_tensor_affine" or "aten::fake_quantize_per_channel_affine";

    private static bool IsInPlace(Op op) => op.Name.EndsWith('_') || op.Name == "aten::set_data";

    private int Define(Tensor t, Op producer, TracedArg[] args)
    {
        int id = NewValue(t);
        _values[t] = id;
        if (ViewOps.Contains(producer.Name))
        {
            // The output may share storage with the input: writing into either later would change both.
            _views.Add(id);
            if (args.Length > 0 && args[0].Kind == TracedKind.Tensor) _shared.Add(args[0].Value);
        }
        return id;
    }

    private int NewValue(Tensor t)
    {
        int id = _nextValue++;
        _infos[id] = new TracedValueInfo(t.Shape, t.DType);
        return id;
    }

    /// <summary>A copy of <paramref name="t"/>'s value now (a later write through any handle cannot change it).</summary>
    private int CaptureConstant(Tensor t)
    {
        int id = NewValue(t);
        _constants[id] = Suspended(t.Clone).DetachFromScope();
        _values[t] = id;
        return id;
    }

    private int ValueOfArg(Tensor t) => _values.TryGetValue(t, out int id) ? id : CaptureConstant(t);

    private TracedArg Convert(Op op, in OpArg a) => a.Kind switch
    {
        OpArgKind.None => new TracedArg(TracedKind.None),
        OpArgKind.Default => new TracedArg(TracedKind.Default),
        OpArgKind.Tensor => new TracedArg(TracedKind.Tensor) { Value = ValueOfArg((Tensor)a.Ref!) },
        OpArgKind.TensorList => new TracedArg(TracedKind.TensorList) { Values = [.. ((Tensor?[])a.Ref!).Select(t => t is null ? -1 : ValueOfArg(t))] },
        OpArgKind.Int => new TracedArg(TracedKind.Int) { Int = a.Int },
        OpArgKind.IntList => new TracedArg(TracedKind.IntList) { Ints = [.. (long[])a.Ref!] },
        OpArgKind.Double => new TracedArg(TracedKind.Double) { Double = a.Double },
        OpArgKind.DoubleList => new TracedArg(TracedKind.DoubleList) { Doubles = [.. (double[])a.Ref!] },
        OpArgKind.Bool => new TracedArg(TracedKind.Bool) { Int = a.Int },
        OpArgKind.BoolList => new TracedArg(TracedKind.BoolList) { Bools = [.. ((byte[])a.Ref!).Select(b => b != 0)] },
        OpArgKind.ScalarType => new TracedArg(TracedKind.ScalarType) { Int = a.Int },
        OpArgKind.String => new TracedArg(TracedKind.String) { Text = System.Text.Encoding.UTF8.GetString((byte[])a.Ref!) },
        OpArgKind.Device => new TracedArg(TracedKind.Device) { Int = a.Int },
        OpArgKind.MemoryFormat => new TracedArg(TracedKind.MemoryFormat) { Int = a.Int },
        OpArgKind.Generator => throw new TraceException($"{op} draws random numbers from a generator on a traced tensor; a graph of it would not be deterministic"),
        _ => throw new TraceException($"{op}: argument kind {a.Kind} cannot be traced"),
    };

    private T Suspended<T>(Func<T> action)
    {
        bool was = _suspended;
        _suspended = true;
        try
        {
            return action();
        }
        finally
        {
            _suspended = was;
        }
    }
}
