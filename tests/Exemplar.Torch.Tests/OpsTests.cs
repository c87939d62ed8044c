using System.Reflection;
using Exemplar.Torch.Native;

namespace Exemplar.Torch.Tests;

/// <summary>The generic dispatcher path: Ops.Call, Ops.Invoke, Ops.CallMany, Op.Schema.</summary>
public class OpsTests
{
    /// <summary>Every <see cref="Op"/> field of the typed API (Aten and the Functional helper classes).</summary>
    public static TheoryData<string> TypedApiOperators()
    {
        var data = new TheoryData<string>();
        var assembly = typeof(Tensor).Assembly;
        foreach (var type in assembly.GetTypes())
        {
            foreach (var field in type.GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public))
            {
                if (field.FieldType == typeof(Op)) data.Add($"{type.Name}.{field.Name}");
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(TypedApiOperators))]
    public void EveryOperatorOfTheTypedApiResolves(string field)
    {
        var (typeName, fieldName) = (field[..field.IndexOf('.')], field[(field.IndexOf('.') + 1)..]);
        var type = typeof(Tensor).Assembly.GetTypes().Single(t => t.Name == typeName);
        var op = (Op)type.GetField(fieldName, BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)!.GetValue(null)!;
        string schema = op.Schema; // resolves through the dispatcher, throws for unknown operators
        Assert.StartsWith(op.Name + (op.Overload.Length > 0 ? "." + op.Overload : "") + "(", schema);
    }

    [Fact]
    public void CallByNameWithScalarArgument()
    {
        using var x = Tensor.From([-2f, 0f, 3f]);
        using (var y = Ops.Call("aten::leaky_relu", "", x, 0.2)) Check.Close(y, [3], [-0.4f, 0f, 3f], atol: 1e-7);
        using (var y = Ops.Call("aten::leaky_relu", "", x)) Check.Close(y, [3], [-0.02f, 0f, 3f], atol: 1e-7); // default slope
        using (var y = Ops.Call(Op.Get("aten::add", "Tensor"), x, x, 0.5)) Check.Close(y, [3], [-3f, 0f, 4.5f], atol: 0);
    }

    [Fact]
    public void CallWithIntListBoolAndDtypeArguments()
    {
        using var x = Tensor.From([1f, 2f, 3f, 4f], 2, 2);
        using (var y = Ops.Call("aten::sum", "dim_IntList", x, new long[] { 1 }, true))
            Check.Close(y, [2, 1], [3f, 7f], atol: 0);
        // OpArg.Default skips keepdim and passes the dtype after it.
        using (var y = Ops.Call("aten::sum", "dim_IntList", x, new long[] { 0 }, OpArg.Default, DType.Float64))
            Check.Close(y, [2], [4.0, 6.0]);
        using (var y = Ops.Call("aten::sum", "dim_IntList", x, OpArg.None)) Check.Close(y, [], [10f], atol: 0); // dim=None: all
    }

    [Fact]
    public void InvokeReturnsTupleOfTensors()
    {
        using var x = Tensor.From([3f, 9f, 1f, 7f, 2f, 8f], 2, 3);
        var outputs = Ops.Invoke("aten::max", "dim", x, 1, false);
        Assert.Equal(2, outputs.Length);
        using var values = Assert.IsType<Tensor>(outputs[0]);
        using var indices = Assert.IsType<Tensor>(outputs[1]);
        Check.Close(values, [2], [9f, 8f], atol: 0);
        Check.Longs(indices, [2], [1, 2]);
    }

    [Fact]
    public void InvokeReturnsListOfTensors()
    {
        using var x = Check.Range(7, 7);
        var outputs = Ops.Invoke("aten::split", "Tensor", x, 3);
        var parts = Assert.IsType<Tensor[]>(Assert.Single(outputs));
        try
        {
            Assert.Equal(3, parts.Length);
            Check.Close(parts[0], [3], [0f, 1f, 2f], atol: 0);
            Check.Close(parts[2], [1], [6f], atol: 0);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    [Fact]
    public void InvokeWithMoreOutputsThanTheInlineBuffer()
    {
        using var x = Check.Range(12, 12);
        var parts = Ops.CallMany(Op.Get("aten::split", "Tensor"), x, 1);
        try
        {
            Assert.Equal(12, parts.Length);
            for (int i = 0; i < 12; i++) Check.Close(parts[i], [1], [(float)i], atol: 0);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
        var unbound = Ops.Invoke("aten::unbind", "int", x, 0);
        var list = Assert.IsType<Tensor[]>(Assert.Single(unbound));
        Assert.Equal(12, list.Length);
        Assert.Equal(11f, list[11].Item<float>());
        foreach (var t in list) t.Dispose();
    }

    [Fact]
    public void InvokeReturnsBoolAndScalarOutputs()
    {
        using var one = Tensor.From([2.5f]);
        using var zero = Tensor.From([0f]);
        Assert.Equal(true, Assert.Single(Ops.Invoke("aten::is_nonzero", "", one)));
        Assert.Equal(false, Assert.Single(Ops.Invoke("aten::is_nonzero", "", zero)));

        using var a = Tensor.From([1L, 2L]);
        using var b = Tensor.From([1L, 2L]);
        using var c = Tensor.From([1L, 3L]);
        Assert.Equal(true, Ops.Invoke("aten::equal", "", a, b)[0]);
        Assert.Equal(false, Ops.Invoke("aten::equal", "", a, c)[0]);

        // aten::item returns a Scalar: a double for floating tensors, a long for integer ones.
        Assert.Equal(2.5, Assert.Single(Ops.Invoke("aten::item", "", one)));
        using var seven = Tensor.Scalar(7L);
        Assert.Equal(7L, Assert.Single(Ops.Invoke("aten::item", "", seven)));
    }

    [Fact]
    public void InvokeReturnsNullForUndefinedTensors()
    {
        using var x = Tensor.From([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        var forward = Ops.Invoke("aten::native_layer_norm", "", x, new long[] { 3 }, OpArg.None, OpArg.None, 1e-5);
        Assert.Equal(3, forward.Length);
        using var output = (Tensor)forward[0]!;
        using var mean = (Tensor)forward[1]!;
        using var rstd = (Tensor)forward[2]!;
        Check.Close(mean, [2, 1], [2f, 5f], atol: 1e-6);
        Check.Close(output, [2, 3], [-1.2247356f, 0f, 1.2247356f, -1.2247356f, 0f, 1.2247356f], atol: 1e-5);

        using var gradOut = Tensor.OnesLike(x);
        var backward = Ops.Invoke("aten::native_layer_norm_backward", "", gradOut, x, new long[] { 3 }, mean, rstd,
            OpArg.None, OpArg.None, new[] { true, false, false });
        Assert.Equal(3, backward.Length);
        using var gradInput = Assert.IsType<Tensor>(backward[0]);
        Assert.Null(backward[1]);
        Assert.Null(backward[2]);
        Check.Close(gradInput, [2, 3], [0f, 0f, 0f, 0f, 0f, 0f], atol: 1e-5); // a constant upstream gradient is normalised away
    }

    [Fact]
    public void CallRejectsOperatorsWithSeveralOutputs()
    {
        using var x = Check.Range(4, 2, 2);
        var e = Assert.Throws<TorchException>(() => Ops.Call("aten::max", "dim", x, 0));
        Assert.Contains("does not return exactly one", e.Message);
        using var element = x[0, 0];
        Assert.Throws<TorchException>(() => Ops.CallMany(Op.Get("aten::is_nonzero"), element)); // a bool is not a tensor
    }

    [Fact]
    public void CallFreesTheOutputsItRejectsAtOnce()
    {
        using var x = Check.Range(4, 2, 2);
        long start = Check.SettledLiveCount();
        Assert.Throws<TorchException>(() => Ops.Call("aten::max", "dim", x, 0));
        Assert.Equal(start, Tensor.LiveCount); // values and indices were disposed, not left to finalizers
    }

    [Fact]
    public void CallManyRejectsAnUndefinedTensorAndFreesTheOthers()
    {
        using var x = Tensor.From([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        using var scope = DisposeScope.Begin();
        var forward = Ops.CallMany(Op.Get("aten::native_layer_norm"), x, new long[] { 3 }, OpArg.None, OpArg.None, 1e-5);
        using var gradOut = Tensor.OnesLike(x);
        long start = Check.SettledLiveCount();
        // Only the input gradient is asked for: the other two outputs are undefined tensors.
        var e = Assert.Throws<TorchException>(() => Ops.CallMany(Op.Get("aten::native_layer_norm_backward"), gradOut, x, new long[] { 3 },
            forward[1], forward[2], OpArg.None, OpArg.None, new[] { true, false, false }));
        Assert.Contains("undefined tensor", e.Message);
        Assert.Equal(start, Tensor.LiveCount);
    }

    /// <summary>A native list output [a, undefined, b], as ex_op_call flattens it, with live handles to <paramref name="a"/> and <paramref name="b"/>.</summary>
    private static NativeOutput[] ListWithAHole(Tensor a, Tensor b) =>
    [
        new() { Kind = (int)NativeOutputKind.List, I = 3 },
        new() { Kind = (int)NativeOutputKind.Tensor, Handle = NativeMethods.ex_tensor_clone_handle(a.NativeHandle) },
        new() { Kind = (int)NativeOutputKind.Tensor, Handle = 0 },
        new() { Kind = (int)NativeOutputKind.Tensor, Handle = NativeMethods.ex_tensor_clone_handle(b.NativeHandle) },
    ];

    [Fact]
    public void AnUndefinedTensorInAListOutputIsNull()
    {
        using var a = Tensor.From([1f]);
        using var b = Tensor.From([2f]);
        long start = Check.SettledLiveCount();
        var outputs = Ops.ConvertOutputs(ListWithAHole(a, b));
        var list = Assert.IsType<Tensor[]>(Assert.Single(outputs)); // Tensor?[] at run time
        Assert.Equal(3, list.Length);
        Assert.Null(list[1]);
        Assert.Equal(1f, list[0]!.Item<float>());
        Assert.Equal(2f, list[2]!.Item<float>());
        Assert.Equal(start + 2, Tensor.LiveCount);

        var e = Assert.Throws<TorchException>(() => Ops.AllTensors(Op.Get("aten::split", "Tensor"), outputs));
        Assert.Contains("undefined tensor in a list", e.Message);
        Assert.True(list[0]!.IsDisposed && list[2]!.IsDisposed);
        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void AnUnsupportedOutputTypeIsAnErrorNotALeak()
    {
        using var re = Tensor.From([1.5f]);
        using var im = Tensor.From([-2f]);
        using var z = Ops.Call("aten::complex", "", re, im);
        long start = Check.SettledLiveCount();
        // The Scalar of a complex tensor is a complex number, which the shim cannot hand back.
        var e = Assert.Throws<TorchException>(() => Ops.Invoke("aten::_local_scalar_dense", "", z));
        Assert.Contains("unsupported operator output type", e.Message);
        Assert.Equal(start, Tensor.LiveCount);
        Assert.Equal(1.5, Assert.Single(Ops.Invoke("aten::_local_scalar_dense", "", re))); // the shim is usable afterwards
    }

    [Fact]
    public void SchemaTextIsAtensOwn()
    {
        Assert.Equal("aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor", Op.Get("aten::add", "Tensor").Schema);
        Assert.Equal("aten::leaky_relu(Tensor self, Scalar negative_slope=0.01) -> Tensor", Op.Get("aten::leaky_relu").Schema);
        Assert.Equal("aten::max.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)", Op.Get("aten::max", "dim").Schema);
        Assert.Equal("aten::split.Tensor(Tensor(a -> *) self, int split_size, int dim=0) -> Tensor(a)[]", Op.Get("aten::split", "Tensor").Schema);
        Assert.Equal("aten::is_nonzero(Tensor self) -> bool", Op.Get("aten::is_nonzero").Schema);
    }

    [Fact]
    public void OpsAreCachedAndNamed()
    {
        var a = Op.Get("aten::mul", "Tensor");
        Assert.Same(a, Op.Get("aten::mul", "Tensor"));
        Assert.Equal("aten::mul.Tensor", a.ToString());
        Assert.Equal("aten::relu", Op.Get("aten::relu").ToString());
        Assert.Equal("aten::mul", a.Name);
        Assert.Equal("Tensor", a.Overload);
    }

    [Fact]
    public void KeywordOnlyArgumentsArePositional()
    {
        // aten::sort.stable(Tensor self, *, bool? stable, int dim=-1, bool descending=False)
        using var x = Tensor.From([3f, 1f, 2f, 1f]);
        var outputs = Ops.CallMany(Op.Get("aten::sort", "stable"), x, true, 0, false);
        using var values = outputs[0];
        using var indices = outputs[1];
        Check.Close(values, [4], [1f, 1f, 2f, 3f], atol: 0);
        Check.Longs(indices, [4], [1, 3, 2, 0]); // stable: equal keys keep their order
    }

    [Fact]
    public void GeluThroughTheGenericPathTakesAString()
    {
        using var x = Tensor.From([1f, 2f]);
        using var y = Ops.Call("aten::gelu", "", x, "tanh");
        Check.Close(y, [2], [0.841192f, 1.9545977f], atol: 1e-6);
    }
}
