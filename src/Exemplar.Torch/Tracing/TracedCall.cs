namespace Exemplar.Torch.Tracing;

/// <summary>What a <see cref="TracedArg"/> or <see cref="TracedOutput"/> holds.</summary>
public enum TracedKind
{
    /// <summary>Python's None (or an undefined tensor).</summary>
    None,
    /// <summary>"Use the schema's default".</summary>
    Default,
    /// <summary>A tensor: <see cref="TracedArg.Value"/>.</summary>
    Tensor,
    /// <summary>A list of tensors: <see cref="TracedArg.Values"/> (-1 for a None element).</summary>
    TensorList,
    /// <summary>An int.</summary>
    Int,
    /// <summary>A list of ints.</summary>
    IntList,
    /// <summary>A float.</summary>
    Double,
    /// <summary>A list of floats.</summary>
    DoubleList,
    /// <summary>A bool.</summary>
    Bool,
    /// <summary>A list of bools.</summary>
    BoolList,
    /// <summary>A dtype.</summary>
    ScalarType,
    /// <summary>A string.</summary>
    String,
    /// <summary>A device.</summary>
    Device,
    /// <summary>A memory format.</summary>
    MemoryFormat,
    /// <summary>A random generator (a traced call that takes one draws random numbers: not exportable).</summary>
    Generator,
}

/// <summary>One argument of a traced call, with tensors replaced by value ids of the <see cref="OpTrace"/>.</summary>
public sealed class TracedArg
{
    internal TracedArg(TracedKind kind) => Kind = kind;

    /// <summary>What it holds.</summary>
    public TracedKind Kind { get; }

    /// <summary>The value id of a tensor argument.</summary>
    public int Value { get; internal init; } = -1;

    /// <summary>The value ids of a tensor-list argument (-1 for None).</summary>
    public IReadOnlyList<int> Values { get; internal init; } = [];

    /// <summary>An int, a bool (0/1), a dtype or memory format (as its number).</summary>
    public long Int { get; internal init; }

    /// <summary>A float.</summary>
    public double Double { get; internal init; }

    /// <summary>An int list.</summary>
    public IReadOnlyList<long> Ints { get; internal init; } = [];

    /// <summary>A float list.</summary>
    public IReadOnlyList<double> Doubles { get; internal init; } = [];

    /// <summary>A bool list.</summary>
    public IReadOnlyList<bool> Bools { get; internal init; } = [];

    /// <summary>A string.</summary>
    public string Text { get; internal init; } = "";

    /// <summary>Whether this is None, or the schema default (which is None for the optional arguments traced here).</summary>
    public bool IsNone => Kind is TracedKind.None or TracedKind.Default;

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        TracedKind.Tensor => $"%{Value}",
        TracedKind.TensorList => $"[{string.Join(", ", Values.Select(v => v < 0 ? "None" : $"%{v}"))}]",
        TracedKind.Int or TracedKind.Bool => Int.ToString(System.Globalization.CultureInfo.InvariantCulture),
        TracedKind.Double => Double.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        TracedKind.IntList => $"[{string.Join(", ", Ints)}]",
        TracedKind.DoubleList => $"[{string.Join(", ", Doubles)}]",
        TracedKind.BoolList => $"[{string.Join(", ", Bools)}]",
        TracedKind.ScalarType => ((DType)Int).ToString(),
        TracedKind.String => $"'{Text}'",
        _ => Kind.ToString(),
    };
}

/// <summary>One output of a traced call: a tensor value, a list of them, or a scalar.</summary>
/// <param name="Kind"><see cref="TracedKind.Tensor"/>, <see cref="TracedKind.TensorList"/>, a scalar kind or None.</param>
/// <param name="Values">The value ids (one for a tensor, several for a list).</param>
/// <param name="Scalar">The value of an int, float or bool output.</param>
public sealed record TracedOutput(TracedKind Kind, IReadOnlyList<int> Values, double Scalar = 0);

/// <summary>Shape and element type of a traced value, as they were while tracing.</summary>
/// <param name="Shape">The sizes.</param>
/// <param name="DType">The element type.</param>
public sealed record TracedValueInfo(IReadOnlyList<long> Shape, DType DType)
{
    /// <summary>The rank.</summary>
    public int Rank => Shape.Count;
}

/// <summary>One operator call recorded by an <see cref="OpTrace"/>, in the order it ran.</summary>
/// <param name="Op">The operator.</param>
/// <param name="Args">Its arguments as passed (positional; trailing schema defaults left out).</param>
/// <param name="Outputs">Its outputs.</param>
public sealed record TracedCall(Op Op, IReadOnlyList<TracedArg> Args, IReadOnlyList<TracedOutput> Outputs)
{
    /// <summary>The argument at <paramref name="index"/>, or a <see cref="TracedKind.Default"/> one past the end.</summary>
    public TracedArg Arg(int index) => index < Args.Count ? Args[index] : new TracedArg(TracedKind.Default);

    /// <summary>The single tensor output's value id.</summary>
    public int Output => Outputs[0].Values[0];

    /// <inheritdoc/>
    public override string ToString() =>
        $"{string.Join(", ", Outputs.SelectMany(o => o.Values).Select(v => $"%{v}"))} = {Op}({string.Join(", ", Args)})";
}

/// <summary>A traced function did something that cannot be recorded as a graph (the message says what and where).</summary>
public sealed class TraceException(string message) : Exception(message);
